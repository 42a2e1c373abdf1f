"""App factory of the notification service: `NotificationService` holds what its handlers, routes and
sender share (the runtime of its commands, the channels, the sender); `http_app` adds the HTTP routes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, FastAPI

from shared.contracts import (
    AbsenceReported,
    GroupFormed,
    ParticipantContactRegistered,
    ParticipantDataDeleted,
    StarterRosterShared,
)
from shared.service import Service
from shared.settings import Settings, get_settings
from shared.web import mount_static
from shared.web.dependencies import service_dependency
from shared.web.staff import session_router

from . import retention
from .channels import Channels
from .commands.people import lock_erasures
from .commands.runtime import Clock, Runtime, system_clock
from .handlers import make_handlers
from .links import Links
from .models import metadata
from .sender import DeliveryWorker

NAME = "notifications"


class NotificationService(Service):
    """The notification service: the runtime its commands share, the channels it sends through and the
    sender worker in its background."""

    def __init__(self, settings: Settings, *, clock: Clock, channels: Channels) -> None:
        super().__init__(NAME, metadata, settings)
        self.clock = clock
        self.runtime = Runtime(settings=settings, links=Links(settings), clock=clock, outbox=self.outbox)
        self.channels = channels
        self.sender = DeliveryWorker(self.sessions, channels, settings, clock)
        handlers = make_handlers(self)
        for queue, documented_as in (
            ("notifications.people", ParticipantContactRegistered),
            ("notifications.messages", GroupFormed),
        ):
            # Each queue only carries the events bound to it (shared/messaging/topology.py). Whatever a
            # batch of events queued goes out now, not at the sender's next poll.
            self.consume(
                queue,
                handlers,
                before_handlers=lock_erasures,
                documented_as=documented_as,
                wake_after_commit=self.sender.wake_and_sweep,
            )
        self.document_publishes(AbsenceReported, ParticipantDataDeleted, StarterRosterShared)
        self.background.append(self.sender)
        retention.add_steps(self.retention, settings.notification_retention_days)


# What a route of this service takes to reach it: `service: NotificationServiceDep`.
NotificationServiceDep = Annotated[NotificationService, Depends(service_dependency)]


def settings_problems(settings: Settings) -> list[str]:
    """What keeps this service from starting outside development (`selvhjelp notifications run` checks):
    the SMS webhook would be open to anyone, and the relay password would cross the network in clear."""
    if settings.environment == "development":
        return []
    problems = []
    if not settings.sms_inbound_secret:
        problems.append("SMS_INBOUND_SECRET is not set: SMS replies could not be told from forgeries")
    if settings.smtp_password and not (settings.smtp_tls or settings.smtp_starttls):
        problems.append(
            "SMTP_PASSWORD is set but neither SMTP_TLS nor SMTP_STARTTLS: the password would go in clear"
        )
    return problems


def create_service(
    settings: Settings | None = None, *, clock: Clock = system_clock, channels: Channels | None = None
) -> NotificationService:
    """`clock` and `channels` are for tests: a clock that stands in the quiet hours, other senders."""
    settings = settings or get_settings()
    return NotificationService(settings, clock=clock, channels=channels or Channels.from_settings(settings))


def http_app(service: NotificationService) -> FastAPI:
    # The routes import NotificationServiceDep from here, so they are imported once this module is.
    from .api import public, sms, staff
    from .staff_pages import notification_pages

    app = service.http_app(
        public, sms, staff, notification_pages, session_router(NAME), title="selvhjelp notifications"
    )
    mount_static(app)
    return app


def create_app(settings: Settings | None = None, **options: Any) -> FastAPI:
    return http_app(create_service(settings, **options))
