"""App factory of the registration service: `RegistrationService` holds what its handlers and routes share
(the identity key, the intake limits); `create_app` adds the HTTP routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import (
    AvailabilityChanged,
    ParticipantContactChanged,
    ParticipantContactRegistered,
    ParticipantErased,
    ParticipantWithdrew,
    RegistrationAccepted,
    RegistrationChanged,
    RegistrationReceived,
    RegistrationRejected,
    RegistrationSubmitted,
)
from shared.messaging import InvalidMessage
from shared.service import Service
from shared.settings import Settings, get_settings
from shared.web import mount_static
from shared.web.dependencies import service_dependency
from shared.web.staff import session_router

from . import domain, submissions
from .handlers import make_handlers
from .models import metadata
from .rate_limits import IntakeLimits
from .retention import RetentionJob

NAME = "registration"


class RegistrationService(Service):
    """The registration service: the key its identity hashes are made with, and the limits of intake."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(NAME, metadata, settings)
        self.identity_key = domain.identity_key(settings)
        self.intake_limits = IntakeLimits(settings)
        # Partner systems by broker user (AMQP) and by OAuth2 client id (HTTP): shared/partners.py.
        self.partners = frozenset(partner.name for partner in settings.partners)
        self.partner_clients = {p.oauth_client_id: p.name for p in settings.partners if p.oauth_client_id}
        handlers = make_handlers(self)
        self.consume(
            "registration.intake",
            handlers,
            on_rejected=self.answer_rejected,
            documented_as=RegistrationSubmitted,
        )
        self.consume("registration.erasure_reports", handlers)
        self.consume("registration.placements", handlers)
        self.background.append(RetentionJob(self))
        self.document_publishes(
            RegistrationAccepted,
            RegistrationRejected,
            ParticipantContactRegistered,
            ParticipantWithdrew,
            AvailabilityChanged,
            RegistrationChanged,
            ParticipantContactChanged,
            ParticipantErased,
        )
        # Answers to a partner system go to its own queue only, under `partner.<name>.<event type>`.
        self.document_publishes(
            RegistrationReceived, RegistrationRejected, routing_prefix="partner.{partner}."
        )

    async def answer_rejected(
        self, session: AsyncSession, raw: dict[str, Any] | None, invalid: InvalidMessage
    ) -> None:
        """A submission that could not be taken is answered (only on the intake queue)."""
        await submissions.answer_rejected(session, self.outbox, raw, invalid, self.partners)


# What a route of this service takes to reach it: `service: RegistrationServiceDep`.
RegistrationServiceDep = Annotated[RegistrationService, Depends(service_dependency)]


def create_service(settings: Settings | None = None) -> RegistrationService:
    return RegistrationService(settings or get_settings())


def create_app(settings: Settings | None = None) -> FastAPI:
    # The routes import RegistrationServiceDep from here, so they are imported once this module is.
    from .api import invalid_request, router, staff
    from .contact_pages import contact_pages
    from .partner_api import partner_router
    from .staff_corrections import people_staff_pages  # with staff_register's and staff_search's routes
    from .staff_pages import registration_staff_pages
    from .status_change import status_changes
    from .web import pages

    service = create_service(settings)
    app = service.http_app(
        router,
        partner_router,
        staff,
        status_changes,
        pages,
        people_staff_pages,
        registration_staff_pages,
        contact_pages,
        session_router(NAME),
        title="selvhjelp registration",
    )
    app.add_exception_handler(RequestValidationError, invalid_request)
    mount_static(app)
    return app
