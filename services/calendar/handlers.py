"""The calendar service's AMQP handlers: which use case each event it consumes calls."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Envelope
from shared.messaging.consumer import Handler

from . import commands, group_decisions, starter_commands

if TYPE_CHECKING:
    from .app import CalendarService


def make_handlers(service: CalendarService) -> dict[str, Handler]:
    outbox, config = service.outbox, service.calendar

    async def on_group_formed(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.group_formed(session, envelope, service.wake_scheduler)

    async def on_group_started(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.group_started(session, envelope.data)

    async def on_group_member_joined(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.member_joined(session, envelope.data)

    async def on_group_member_left(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.member_left(session, envelope.data)

    async def on_group_dissolved_or_ended(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.end_group(session, config, envelope.data.group_id, datetime.now(UTC))

    async def on_schedule_decided(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await group_decisions.schedule_decided(session, outbox, config, envelope.data, datetime.now(UTC))

    async def on_groups_merged(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await group_decisions.groups_merged(session, config, envelope.data, datetime.now(UTC))

    async def on_absence_reported(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.record_absence(session, outbox, config, envelope, datetime.now(UTC))

    async def on_roster_shared(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await starter_commands.keep_first_names(session, envelope.data)

    async def on_participant_erased(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.erase_person(session, outbox, envelope)

    return {
        "group.formed.v1": on_group_formed,
        "group.started.v1": on_group_started,
        "group.member_joined.v1": on_group_member_joined,
        "group.member_left.v1": on_group_member_left,
        "group.dissolved.v1": on_group_dissolved_or_ended,
        "group.ended.v1": on_group_dissolved_or_ended,
        "group.schedule_decided.v1": on_schedule_decided,
        "group.merged.v1": on_groups_merged,
        "absence.reported.v1": on_absence_reported,
        "starter.roster_shared.v1": on_roster_shared,
        "participant.erased.v1": on_participant_erased,
    }
