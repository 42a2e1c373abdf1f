"""Notifications of a group's own decisions: the members asked to vote, told the outcome, and the members
of a merged group moved to the remaining group (with its time and place)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from .. import decision_messages
from ..models import absences, group_members
from .deliveries import queue_message
from .groups import load_group, lock_group, save_group, set_members
from .runtime import Runtime


async def decision_opened(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    loaded = await load_group(session, data.group_id)
    message = decision_messages.decision_vote_request(
        data.group_id,
        loaded[0].district if loaded else None,
        data.members,
        event_id,
        rt.links,
        kind=data.kind,
        proposal=data.proposal,
        deadline=data.deadline,
    )
    await queue_message(session, message, now=rt.clock())


async def decision_reached(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    loaded = await load_group(session, data.group_id)
    message = decision_messages.decision_outcome(
        data.group_id,
        loaded[0].district if loaded else None,
        data.members,
        event_id,
        rt.links,
        kind=data.kind,
        proposal=data.proposal,
        result=data.result,
        newcomers=data.newcomers,
    )
    await queue_message(session, message, now=rt.clock())


async def groups_merged(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    """The moved members now belong to the remaining group (its reminders reach them); the old group is
    forgotten like an ended one, since membership is itself sensitive."""
    for group_id in sorted((data.from_group_id, data.into_group_id)):  # one lock order
        await lock_group(session, group_id)
    await set_members(session, data.into_group_id, list(data.moved), "active", overwrite=True)
    await session.execute(delete(group_members).where(group_members.c.group_id == data.from_group_id))
    await session.execute(delete(absences).where(absences.c.group_id == data.from_group_id))
    await save_group(session, data.from_group_id, state="ended")
    loaded = await load_group(session, data.into_group_id)
    if loaded is None:
        return
    group = loaded[0]
    start = group.next_meeting(rt.clock()) if group.scheduled else None
    message = decision_messages.group_merged(group, data.moved, event_id, rt.links, start)
    await queue_message(session, message, now=rt.clock())
