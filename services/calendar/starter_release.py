"""Releasing a group's starters once its first meetings are over (DOMAIN.md: a starter comes to the first
meetings, default 3, and then leaves the group to itself). Every starter who was booked for one of them,
replacements too, is thanked (starter.released.v1, notifications words it); from then on the group is
no longer on their pages or in their feeds (starter_queries.py).

Runs in the calendar's job loop: due work found in PostgreSQL and claimed with SKIP LOCKED, so a restart
loses nothing and replicas release a group once."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import DateTime, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import StarterReleased
from shared.messaging import Outbox

from .models import groups, starter_bookings

log = logging.getLogger("selvhjelp.calendar.starters")
SOURCE = "calendar"

_END = func.upper(starter_bookings.c.during, type_=DateTime(timezone=True))
_START = func.lower(starter_bookings.c.during, type_=DateTime(timezone=True))


async def release_starters(session: AsyncSession, outbox: Outbox, now: datetime, batch: int = 50) -> int:
    """Release the starters of up to `batch` groups whose last starter meeting has ended; how many groups."""
    over = (
        select(starter_bookings.c.group_id)
        .group_by(starter_bookings.c.group_id)
        .having(func.max(_END) <= now)
    )
    due = (
        await session.execute(
            select(groups.c.group_id, groups.c.district, groups.c.correlation_id)
            .where(
                groups.c.status == "scheduled",
                groups.c.starters_released_at.is_(None),
                groups.c.group_id.in_(over),
            )
            .order_by(groups.c.group_id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for row in due:
        booked = (
            await session.execute(
                select(starter_bookings.c.starter_id, _START).where(
                    starter_bookings.c.group_id == row.group_id
                )
            )
        ).all()
        event = StarterReleased(
            group_id=row.group_id,
            district=row.district,
            starters=sorted({starter_id for starter_id, _ in booked}),
            meetings=len({start for _, start in booked}),
        )
        await session.execute(
            update(groups).where(groups.c.group_id == row.group_id).values(starters_released_at=now)
        )
        await outbox.add(session, event.envelope(source=SOURCE, correlation_id=row.correlation_id))
        log.info("starters released", extra={"group_id": str(row.group_id)})
    return len(due)
