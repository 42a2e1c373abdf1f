"""When a group is over for one person: they left it (after the start: the retention clock starts, unless
they went back to wait for another group) or declined before it started (never placed in it)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Envelope

from . import history
from .commands import mark_left_group
from .models import registrations


async def member_left(session: AsyncSession, left: Envelope[Any]) -> None:
    """When the group is over for a person: the moment it happened (not when we heard) starts retention."""
    data = left.data
    if data.before_start:  # declined or not answered: never placed in that group
        await history.record_for_registered(
            session,
            [data.participant_id],
            "left",
            at=left.occurred_at,
            group_id=str(data.group_id),
            before_start=True,
        )
        return
    if getattr(data, "back_to_pool", False):
        await back_to_waiting(session, data.group_id, data.participant_id, left.occurred_at)
        return
    await mark_left_group(session, data.group_id, left.occurred_at, participant_id=data.participant_id)


async def back_to_waiting(
    session: AsyncSession, group_id: uuid.UUID, participant_id: uuid.UUID, at: datetime
) -> None:
    """Left the group to wait for another: waiting again, and no retention clock (they are not done)."""
    await session.execute(
        update(registrations)
        .where(
            registrations.c.participant_id == participant_id,
            registrations.c.group_id == group_id,
            registrations.c.status == "placed",
        )
        .values(status="waiting", group_id=None, updated_at=func.now())
    )
    await history.record_for_registered(
        session, [participant_id], "left", at=at, group_id=str(group_id), back_to_pool=True
    )
