"""A running group ends when its members decide so; staff record it in the console.

Ending tells the calendar (no more meetings), notifications (a goodbye, then the contacts go) and
registration (the members' retention period starts: they are erased `placed_retention_days` later). Who was
in the group stays here for staff until grouping's own retention step (`closed_group_retention_days`)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.contracts import GroupEnded
from shared.messaging import Outbox

from .commands.common import ACTIVE, GroupingError, stage
from .models import admission_requests, audit_log, groups, memberships, pool


async def end_group(
    session: AsyncSession, outbox: Outbox, group_id: uuid.UUID, *, district: str, actor: str
) -> None:
    group = (
        await session.execute(
            select(groups.c.status)
            .where(groups.c.group_id == group_id, groups.c.district == district)
            .with_for_update()
        )
    ).one_or_none()
    if group is None:
        raise GroupingError("no such group in your district")
    if group.status != "started":
        raise GroupingError("only a running group can end")
    members = list(
        (
            await session.execute(
                update(memberships)
                .where(memberships.c.group_id == group_id, memberships.c.status.in_(ACTIVE))
                .values(status="left", responded_at=func.now())
                .returning(memberships.c.participant_id)
            )
        ).scalars()
    )
    # They are not waiting for a group: whoever wants a new one registers again.
    await session.execute(delete(pool).where(pool.c.participant_id.in_(members)))
    await session.execute(
        update(admission_requests)
        .where(
            admission_requests.c.group_id == group_id,
            admission_requests.c.status.in_(("voting", "inviting")),
        )
        .values(status="refused")
    )
    await session.execute(
        update(groups).where(groups.c.group_id == group_id).values(status="ended", closed_at=func.now())
    )
    await record_audit(
        session, audit_log, actor=actor, action="end_group", district=district, subject_id=group_id
    )
    await stage(session, outbox, GroupEnded(group_id=group_id, members=members))


async def record_last_day(session: AsyncSession, data: Any) -> None:
    """The calendar set a last meeting day (staff ended the meetings on a date): remembered for the job."""
    if data.last_day is not None:
        await session.execute(
            update(groups)
            .where(groups.c.group_id == data.group_id, groups.c.status == "started")
            .values(last_day=data.last_day)
        )


async def end_groups_past_their_last_day(session: AsyncSession, outbox: Outbox, today: date) -> int:
    """Groups whose meetings ended on a date staff set in the calendar end the day after, like any end:
    every service follows `group.ended.v1`."""
    due = (
        await session.execute(
            select(groups.c.group_id, groups.c.district)
            .where(groups.c.status == "started", groups.c.last_day < today)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for group in due:
        await end_group(session, outbox, group.group_id, district=group.district, actor="calendar-end")
    return len(due)
