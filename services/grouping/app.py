"""App factory of the grouping service: `GroupingService` holds what its handlers, routes and planner
share (rules, timing, the planner); `create_app` adds the HTTP routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI

from shared.contracts import (
    GroupAdmissionDecided,
    GroupAdmissionRequested,
    GroupBelowMinimum,
    GroupDissolved,
    GroupEnded,
    GroupFormed,
    GroupMemberJoined,
    GroupMemberLeft,
    GroupNewcomerInvited,
    GroupStarted,
    InvitationAnswered,
    ParticipantDataDeleted,
    RegistrationAccepted,
    WaitingOptions,
)
from shared.contracts.decisions import DECISION_EVENTS
from shared.service import Service
from shared.settings import Settings, get_settings
from shared.web import mount_static
from shared.web.dependencies import service_dependency
from shared.web.staff import session_router

from . import domain, retention
from .config import policy_from, timing_from, today
from .decision_job import DecisionJob
from .handlers import make_handlers
from .models import metadata
from .nudging import Nudger
from .planner import Planner
from .planning.policy import refill_rules

NAME = "grouping"


class GroupingService(Service):
    """The grouping service: its planning rules, the timing of invitations and votes, and the planner."""

    today = staticmethod(today)

    def __init__(self, settings: Settings, rules: domain.PlanningRules) -> None:
        super().__init__(NAME, metadata, settings)
        self.policy = policy_from(settings)
        # Refilling a proposed group follows the policy (under `lasting`: no lone man or woman).
        self.rules = refill_rules(rules, self.policy)
        self.timing = timing_from(settings)
        self.planner = Planner(self, self.rules, self.timing, today)
        self.background.append(self.planner)
        self.nudger = Nudger(self)
        self.background.append(self.nudger)
        self.decisions = DecisionJob(self)
        self.background.append(self.decisions)
        retention.add_steps(self.retention, settings.closed_group_retention_days)
        self.consume("grouping.pool", make_handlers(self), documented_as=RegistrationAccepted)
        self.document_publishes(
            GroupFormed,
            InvitationAnswered,
            GroupStarted,
            GroupDissolved,
            GroupMemberJoined,
            GroupMemberLeft,
            GroupBelowMinimum,
            GroupAdmissionRequested,
            GroupAdmissionDecided,
            GroupNewcomerInvited,
            GroupEnded,
            ParticipantDataDeleted,
            WaitingOptions,
            *DECISION_EVENTS,
        )

    def wake_planner(self) -> None:
        self.planner.wake()


# What a route of this service takes to reach it: `service: GroupingServiceDep`.
GroupingServiceDep = Annotated[GroupingService, Depends(service_dependency)]


def create_service(
    settings: Settings | None = None, rules: domain.PlanningRules | None = None
) -> GroupingService:
    return GroupingService(settings or get_settings(), rules or domain.PlanningRules())


def create_app(settings: Settings | None = None, rules: domain.PlanningRules | None = None) -> FastAPI:
    # The routes import GroupingServiceDep from here, so they are imported once this module is.
    from .api import pages, router, staff
    from .contact_pages import router as contact_pages
    from .decision_pages import decision_pages
    from .leave_pages import leave_pages
    from .national_pages import national_pages
    from .newcomer_pages import newcomer_pages
    from .operator_pages import operator_pages
    from .staff_pages import staff_pages

    service = create_service(settings, rules)
    app = service.http_app(
        pages,
        leave_pages,
        newcomer_pages,
        router,
        staff,
        staff_pages,
        contact_pages,
        decision_pages,
        national_pages,
        operator_pages,
        session_router(NAME),
        title="selvhjelp grouping",
    )
    mount_static(app)
    return app
