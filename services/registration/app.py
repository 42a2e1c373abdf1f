"""App factory of the registration service."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError

from shared.contracts import (
    AvailabilityChanged,
    ParticipantContactRegistered,
    ParticipantErased,
    ParticipantWithdrew,
    RegistrationAccepted,
    RegistrationRejected,
    RegistrationSubmitted,
)
from shared.service import Service
from shared.settings import Settings, get_settings
from shared.web import mount_static
from shared.web.staff import session_router

from . import domain
from .api import invalid_request, router, staff
from .handlers import make_handlers
from .models import metadata
from .rate_limits import IntakeLimits
from .retention import RetentionJob
from .staff_pages import registration_staff_pages
from .web import pages

NAME = "registration"


def create_service(settings: Settings | None = None) -> Service:
    service = Service(NAME, metadata, settings or get_settings())
    intake, on_rejected, reports, placements = make_handlers(
        service.outbox, domain.identity_key(service.settings)
    )
    service.consume(
        "registration.intake", intake, on_rejected=on_rejected, documented_as=RegistrationSubmitted
    )
    service.consume("registration.erasure_reports", reports)
    service.consume("registration.placements", placements)
    service.background.append(RetentionJob(service))
    service.document_publishes(
        RegistrationAccepted,
        RegistrationRejected,
        ParticipantContactRegistered,
        ParticipantWithdrew,
        AvailabilityChanged,
        ParticipantErased,
    )
    return service


def create_app(settings: Settings | None = None) -> FastAPI:
    service = create_service(settings)
    app = service.http_app(
        router, staff, pages, registration_staff_pages, session_router(NAME), title="selvhjelp registration"
    )
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.state.intake_limits = IntakeLimits(service.settings)
    mount_static(app)
    return app
