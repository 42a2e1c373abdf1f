"""App factory of the registration service."""

from __future__ import annotations

from fastapi import FastAPI

from shared.contracts import (
    ParticipantContactRegistered,
    ParticipantErased,
    ParticipantWithdrew,
    RegistrationAccepted,
    RegistrationRejected,
    RegistrationSubmitted,
)
from shared.service import Service
from shared.settings import Settings, get_settings

from .api import router, staff
from .handlers import make_handlers
from .models import metadata

NAME = "registration"


def create_service(settings: Settings | None = None) -> Service:
    service = Service(NAME, metadata, settings or get_settings())
    intake, on_rejected, reports = make_handlers(service.outbox)
    service.consume(
        "registration.intake", intake, on_rejected=on_rejected, documented_as=RegistrationSubmitted
    )
    service.consume("registration.erasure_reports", reports)
    service.document_publishes(
        RegistrationAccepted,
        RegistrationRejected,
        ParticipantContactRegistered,
        ParticipantWithdrew,
        ParticipantErased,
    )
    return service


def create_app(settings: Settings | None = None) -> FastAPI:
    service = create_service(settings)
    return service.http_app(router, staff, title="selvhjelp registration")
