"""Reads shared by grouping's staff API and its staff pages: the district's waiting pool and its groups.
They change nothing but the audit log: topics are sensitive, so every staff read of them is recorded."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit

from .commands.common import ACTIVE
from .models import audit_log, groups, memberships, pool


async def waiting_people(
    session: AsyncSession,
    district: str,
    *,
    municipality: str | None = None,
    topic: str | None = None,
    limit: int | None = None,
) -> list[Any]:
    """Who waits in the district, longest waiting first (their pool rows, with the reasons)."""
    query = select(pool).where(pool.c.district == district, pool.c.status == "waiting")
    if municipality:
        query = query.where(pool.c.municipality == municipality)
    if topic:
        query = query.where(pool.c.topic == topic)
    return list((await session.execute(query.order_by(pool.c.registered_at).limit(limit))).all())


async def district_groups(
    session: AsyncSession, district: str, *, status: str | None = None, limit: int | None = None
) -> list[Any]:
    """The district's groups, newest first, each with `members`: how many are invited or in it."""
    members = (
        select(func.count())
        .where(memberships.c.group_id == groups.c.group_id, memberships.c.status.in_(ACTIVE))
        .scalar_subquery()
    )
    query = select(groups, members.label("members")).where(groups.c.district == district)
    if status:
        query = query.where(groups.c.status == status)
    return list((await session.execute(query.order_by(groups.c.formed_at.desc()).limit(limit))).all())


async def record_staff_read(
    session: AsyncSession, user: Any, action: str, detail: str, subject_id: uuid.UUID | None = None
) -> None:
    """Audit a staff member's read of people's topics (`read_pool`) or a group's members (`read_group`),
    in the transaction of the read."""
    await record_audit(
        session,
        audit_log,
        actor=user.subject,
        action=action,
        district=user.district,
        subject_id=subject_id,
        detail=detail,
    )


async def municipal_counts(
    session: AsyncSession, municipalities: frozenset[str]
) -> dict[str, tuple[int, int]]:
    """For each of a contact point's municipalities: how many people wait for a group and how many groups
    that include the municipality are running. Counts only: no person, topic or group is named."""
    numbers = sorted(municipalities)
    waiting = dict(
        (
            await session.execute(
                select(pool.c.municipality, func.count())
                .where(pool.c.municipality.in_(numbers), pool.c.status == "waiting")
                .group_by(pool.c.municipality)
            )
        ).all()
    )
    counts = {}
    for number in numbers:
        running = await session.scalar(
            select(func.count()).where(
                groups.c.status == "started", groups.c.municipalities.contains([number])
            )
        )
        counts[number] = (waiting.get(number, 0), running or 0)
    return counts
