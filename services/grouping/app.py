"""App factory of the grouping service."""

from __future__ import annotations

from fastapi import FastAPI

from shared.contracts import (
    GroupAdmissionRequested,
    GroupDissolved,
    GroupEnded,
    GroupFormed,
    GroupMemberJoined,
    GroupMemberLeft,
    GroupStarted,
    ParticipantDataDeleted,
    RegistrationAccepted,
)
from shared.service import Service
from shared.settings import Settings, get_settings

from .handlers import make_handlers
from .models import metadata

NAME = "grouping"


def create_service(settings: Settings | None = None) -> Service:
    service = Service(NAME, metadata, settings or get_settings())
    service.consume("grouping.pool", make_handlers(service.outbox), documented_as=RegistrationAccepted)
    service.document_publishes(
        GroupFormed,
        GroupStarted,
        GroupDissolved,
        GroupMemberJoined,
        GroupMemberLeft,
        GroupAdmissionRequested,
        GroupEnded,
        ParticipantDataDeleted,
    )
    return service


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service(settings).http_app(title="selvhjelp grouping")
