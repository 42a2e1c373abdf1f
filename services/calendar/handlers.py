"""Thin AMQP handlers of the calendar service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Envelope
from shared.messaging import Outbox
from shared.messaging.consumer import call_after_commit

from . import commands
from .config import CalendarConfig


def after_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Run `callback` once this transaction has committed (waking a job before that would find nothing)."""
    call_after_commit(callback)


def make_handlers(outbox: Outbox, config: CalendarConfig, wake_scheduler: Callable[[], None] | None = None):
    async def on_group_formed(session: AsyncSession, envelope: Envelope[Any]) -> None:
        if await commands.store_formed_group(session, envelope) and wake_scheduler:
            after_commit(session, wake_scheduler)

    async def on_group_started(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.require_group(session, envelope.data.group_id)
        await commands.replace_members(session, envelope.data.group_id, envelope.data.members)

    async def on_group_member_joined(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.require_group(session, envelope.data.group_id)
        await commands.add_member(session, envelope.data.group_id, envelope.data.participant_id)

    async def on_group_member_left(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.require_group(session, envelope.data.group_id)
        await commands.remove_member(session, envelope.data.group_id, envelope.data.participant_id)

    async def on_group_dissolved_or_ended(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.end_group(session, config, envelope.data.group_id, datetime.now(UTC))

    async def on_absence_reported(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.record_absence(session, outbox, config, envelope, datetime.now(UTC))

    async def on_participant_erased(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.erase_participant(session, outbox, envelope)

    return {
        "group.formed.v1": on_group_formed,
        "group.started.v1": on_group_started,
        "group.member_joined.v1": on_group_member_joined,
        "group.member_left.v1": on_group_member_left,
        "group.dissolved.v1": on_group_dissolved_or_ended,
        "group.ended.v1": on_group_dissolved_or_ended,
        "absence.reported.v1": on_absence_reported,
        "participant.erased.v1": on_participant_erased,
    }
