"""A person the district office took out of a proposed group (grouping's arranging, issue 21): they are
back in the pool with their waiting time, and told so if they had heard of the group.

Someone whose invitation had not gone out yet never knew of the group: the unsent invitation is dropped
and nothing is said. Someone who had it is told, in their language, that it is withdrawn and that they
wait for a new group; the message names no one else and nothing of the group but that it was proposed.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from .. import membership_messages
from ..models import deliveries, group_members
from .deliveries import queue_message
from .runtime import Runtime

INVITATION = "group_invitation"


async def invitation_withdrawn(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    from .groups import load_group, lock_group  # groups calls this module: imported when needed

    await lock_group(session, data.group_id)
    state = await session.scalar(
        select(group_members.c.state).where(
            group_members.c.group_id == data.group_id, group_members.c.participant_id == data.participant_id
        )
    )
    if state is None or state == "left":
        return
    theirs = (
        deliveries.c.recipient_id == data.participant_id,
        deliveries.c.group_id == data.group_id,
        deliveries.c.message_type == INVITATION,
    )
    await session.execute(delete(deliveries).where(*theirs, deliveries.c.state == "queued"))
    invited = await session.scalar(
        select(deliveries.c.id).where(*theirs, deliveries.c.state == "sent").limit(1)
    )
    loaded = await load_group(session, data.group_id)
    if invited is None or loaded is None:
        return
    withdrawn = membership_messages.invitation_withdrawn(loaded[0], data.participant_id, event_id, rt.links)
    await queue_message(session, withdrawn, now=rt.clock())
