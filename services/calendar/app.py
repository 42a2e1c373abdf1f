"""App factory of the calendar service."""

from __future__ import annotations

from fastapi import FastAPI

from shared.contracts import (
    GroupFormed,
    GroupSchedulingFailed,
    MeetingAtRisk,
    MeetingCancelled,
    MeetingChanged,
    MeetingScheduled,
    ParticipantDataDeleted,
    ReminderDue,
)
from shared.service import Service
from shared.settings import Settings, get_settings
from shared.web import mount_static
from shared.web.staff import session_router

from . import retention
from .commands import lock_groups
from .config import CalendarConfig
from .feeds_api import feeds
from .handlers import make_handlers
from .jobs import CalendarJobs
from .member_pages import member_pages
from .models import metadata
from .registry_api import registry
from .schedule_api import schedules
from .staff_pages import calendar_pages
from .venue_pages import venue_pages

NAME = "calendar"


def create_service(settings: Settings | None = None) -> Service:
    service = Service(NAME, metadata, settings or get_settings())
    config = CalendarConfig.from_settings(service.settings)
    jobs = CalendarJobs(service, config)
    service.background.append(jobs)
    retention.add_steps(service.retention, service.settings.closed_group_retention_days)
    service.consume(
        "calendar.groups",
        make_handlers(service.outbox, config, jobs.wake),
        before_handlers=lock_groups,  # a batch locks its groups in one order: no deadlock between replicas
        documented_as=GroupFormed,
    )
    service.document_publishes(
        MeetingScheduled,
        MeetingChanged,
        MeetingCancelled,
        MeetingAtRisk,
        GroupSchedulingFailed,
        ReminderDue,
        ParticipantDataDeleted,
    )
    service.calendar = config  # type: ignore[attr-defined]
    service.jobs = jobs  # type: ignore[attr-defined]
    return service


def create_app(settings: Settings | None = None) -> FastAPI:
    service = create_service(settings)
    app = service.http_app(
        schedules,
        registry,
        feeds,
        calendar_pages,
        venue_pages,
        member_pages,
        session_router(NAME),
        title="selvhjelp calendar",
    )
    mount_static(app)
    return app
