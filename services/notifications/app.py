"""App factory of the notification service."""

from __future__ import annotations

from fastapi import FastAPI

from shared.contracts import AbsenceReported, ParticipantContactRegistered, ParticipantDataDeleted
from shared.service import Service
from shared.settings import Settings, get_settings

from .handlers import make_handlers
from .models import metadata

NAME = "notifications"


def create_service(settings: Settings | None = None) -> Service:
    service = Service(NAME, metadata, settings or get_settings())
    service.consume(
        "notifications.messages", make_handlers(service.outbox), documented_as=ParticipantContactRegistered
    )
    service.document_publishes(AbsenceReported, ParticipantDataDeleted)
    return service


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service(settings).http_app(title="selvhjelp notifications")
