"""App factory of the calendar service: `CalendarService` holds what its handlers, routes and jobs share
(its config, the jobs); `create_app` adds the HTTP routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI

from shared.contracts import (
    GroupFormed,
    GroupSchedulingFailed,
    MeetingAtRisk,
    MeetingCancelled,
    MeetingChanged,
    MeetingScheduled,
    ParticipantDataDeleted,
    ReminderDue,
    StarterAbsenceReported,
    StarterAssigned,
    StarterReleased,
)
from shared.service import Service
from shared.settings import Settings, get_settings
from shared.web import mount_static
from shared.web.dependencies import service_dependency
from shared.web.staff import session_router

from . import retention
from .commands import lock_groups
from .config import CalendarConfig
from .handlers import make_handlers
from .jobs import CalendarJobs
from .models import metadata

NAME = "calendar"


class CalendarService(Service):
    """The calendar service: its rules and timings (`calendar`, a CalendarConfig) and its jobs (scheduling,
    reminders, extending plans)."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(NAME, metadata, settings)
        self.calendar = CalendarConfig.from_settings(settings)
        self.jobs = CalendarJobs(self, self.calendar)
        self.background.append(self.jobs)
        retention.add_steps(self.retention, settings.closed_group_retention_days)
        self.consume(
            "calendar.groups",
            make_handlers(self),
            before_handlers=lock_groups,  # a batch locks its groups in one order: no deadlock between replicas
            documented_as=GroupFormed,
        )
        self.document_publishes(
            MeetingScheduled,
            MeetingChanged,
            MeetingCancelled,
            MeetingAtRisk,
            GroupSchedulingFailed,
            ReminderDue,
            ParticipantDataDeleted,
            StarterAssigned,
            StarterAbsenceReported,
            StarterReleased,
        )

    def wake_scheduler(self) -> None:
        self.jobs.wake()


# What a route of this service takes to reach it: `service: CalendarServiceDep`.
CalendarServiceDep = Annotated[CalendarService, Depends(service_dependency)]


def create_service(settings: Settings | None = None) -> CalendarService:
    return CalendarService(settings or get_settings())


def create_app(settings: Settings | None = None) -> FastAPI:
    # The routes import CalendarServiceDep from here, so they are imported once this module is.
    from .break_pages import break_pages
    from .contact_pages import contact_pages
    from .feeds_api import feeds
    from .member_pages import member_pages
    from .registry_api import registry
    from .schedule_api import schedules
    from .staff_pages import calendar_pages
    from .starter_pages import starter_feeds, starter_pages
    from .unblock_pages import unblock_pages
    from .venue_pages import venue_pages

    service = create_service(settings)
    app = service.http_app(
        schedules,
        registry,
        feeds,
        starter_feeds,
        calendar_pages,
        starter_pages,
        venue_pages,
        contact_pages,
        unblock_pages,
        member_pages,
        break_pages,
        session_router(NAME),
        title="selvhjelp calendar",
    )
    mount_static(app)
    return app
