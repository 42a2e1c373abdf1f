"""A running group ends when its members decide so; staff record it in the console.

Ending tells the calendar (no more meetings), notifications (a goodbye, then the contacts go) and
registration (the members' retention period starts: they are erased `placed_retention_days` later). Who was
in the group stays here for staff until grouping's own retention step (`closed_group_retention_days`)."""

from __future__ import annotations

import uuid

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
