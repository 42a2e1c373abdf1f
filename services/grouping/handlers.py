"""The grouping service's AMQP handlers: which use case each event it consumes calls."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Envelope
from shared.messaging.consumer import Handler

from . import ending
from .commands import pool

if TYPE_CHECKING:
    from .app import GroupingService


def make_handlers(service: GroupingService) -> dict[str, Handler]:
    outbox, rules, timing, today = service.outbox, service.rules, service.timing, service.today

    async def on_registration_accepted(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await pool.join_pool(session, envelope.data, service.wake_planner)

    async def on_participant_withdrew(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await pool.withdraw(session, outbox, envelope, as_of=today(), rules=rules, timing=timing)

    async def on_availability_changed(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await pool.change_availability(session, envelope.data, service.wake_planner)

    async def on_registration_changed(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await pool.change_registration(session, envelope.data, service.wake_planner)

    async def on_participant_erased(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await pool.erase_person(session, outbox, envelope, as_of=today(), rules=rules, timing=timing)

    async def on_absence_reported(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await pool.record_absence(session, envelope.data)

    async def on_scheduling_failed(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await pool.flag_scheduling_failed(session, envelope.data)

    async def on_meeting_scheduled(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await pool.group_scheduled(session, envelope.data)

    async def on_meeting_changed(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await ending.record_last_day(session, envelope.data)

    return {
        "registration.accepted.v1": on_registration_accepted,
        "participant.withdrew.v1": on_participant_withdrew,
        "registration.availability_changed.v1": on_availability_changed,
        "registration.changed.v1": on_registration_changed,
        "participant.erased.v1": on_participant_erased,
        "absence.reported.v1": on_absence_reported,
        "group.scheduling_failed.v1": on_scheduling_failed,
        "meeting.scheduled.v1": on_meeting_scheduled,
        "meeting.changed.v1": on_meeting_changed,
    }
