"""App factory of the calendar service."""

from __future__ import annotations

from fastapi import FastAPI

from shared.contracts import (
    GroupFormed,
    GroupSchedulingFailed,
    MeetingCancelled,
    MeetingChanged,
    MeetingScheduled,
    ParticipantDataDeleted,
    ReminderDue,
)
from shared.service import Service
from shared.settings import Settings, get_settings

from .handlers import make_handlers
from .models import metadata

NAME = "calendar"


def create_service(settings: Settings | None = None) -> Service:
    service = Service(NAME, metadata, settings or get_settings())
    service.consume("calendar.groups", make_handlers(service.outbox), documented_as=GroupFormed)
    service.document_publishes(
        MeetingScheduled,
        MeetingChanged,
        MeetingCancelled,
        GroupSchedulingFailed,
        ReminderDue,
        ParticipantDataDeleted,
    )
    return service


def create_app(settings: Settings | None = None) -> FastAPI:
    return create_service(settings).http_app(title="selvhjelp calendar")
