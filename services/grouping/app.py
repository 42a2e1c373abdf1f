"""App factory of the grouping service."""

from __future__ import annotations

from datetime import date, datetime

from fastapi import FastAPI

from shared.clock import norway_today
from shared.contracts import (
    GroupAdmissionDecided,
    GroupAdmissionRequested,
    GroupBelowMinimum,
    GroupDissolved,
    GroupEnded,
    GroupFormed,
    GroupMemberJoined,
    GroupMemberLeft,
    GroupStarted,
    InvitationAnswered,
    ParticipantDataDeleted,
    RegistrationAccepted,
)
from shared.service import Service
from shared.settings import Settings, get_settings
from shared.web import mount_static
from shared.web.staff import session_router

from . import domain, retention
from .api import pages, router, staff
from .commands.common import Timing
from .handlers import make_handlers
from .models import metadata
from .planner import Planner
from .staff_pages import staff_pages

NAME = "grouping"


def today(now: datetime | None = None) -> date:
    """Ages and waiting times count in Norwegian days."""
    return norway_today(now)


def create_service(settings: Settings | None = None, rules: domain.PlanningRules | None = None) -> Service:
    service = Service(NAME, metadata, settings or get_settings())
    rules = rules or domain.PlanningRules()
    timing = Timing(
        invitation_days=service.settings.invitation_days,
        admission_vote_days=service.settings.admission_vote_days,
    )
    planner = Planner(service, rules, timing, today)
    service.background.append(planner)
    retention.add_steps(service.retention, service.settings.closed_group_retention_days)
    service.consume(
        "grouping.pool",
        make_handlers(service, rules, timing, today, planner),
        documented_as=RegistrationAccepted,
    )
    service.document_publishes(
        GroupFormed,
        InvitationAnswered,
        GroupStarted,
        GroupDissolved,
        GroupMemberJoined,
        GroupMemberLeft,
        GroupBelowMinimum,
        GroupAdmissionRequested,
        GroupAdmissionDecided,
        GroupEnded,
        ParticipantDataDeleted,
    )
    service.planner = planner  # type: ignore[attr-defined]
    service.rules = rules  # type: ignore[attr-defined]
    service.timing = timing  # type: ignore[attr-defined]
    return service


def create_app(settings: Settings | None = None, rules: domain.PlanningRules | None = None) -> FastAPI:
    service = create_service(settings, rules)
    app = service.http_app(
        pages, router, staff, staff_pages, session_router(NAME), title="selvhjelp grouping"
    )
    mount_static(app)
    app.state.rules = service.rules
    app.state.timing = service.timing
    app.state.planner = service.planner
    app.state.today = today
    return app
