"""The events that tell a starter (and its district office) what concerns it, built from the calendar's
rows: assigned to a group's first meetings or to one meeting as a replacement, a meeting it cannot come
to, and released with thanks after the first meetings (shared/contracts/starters.py).

Only notifications consumes them; they carry the starter's first name, e-mail and language (it has to
reach the starter) and no member of the group, only how many there are."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Language, StarterAbsenceReported, StarterAssigned
from shared.messaging import Outbox

from .config import CalendarConfig
from .models import groups, memberships, series, starter_bookings, starters, venues
from .rules import weekday_code

SOURCE = "calendar"


def _language(value: str | None) -> Language:
    try:
        return Language(value or "nb")
    except ValueError:
        return Language.nb


async def stage_starter_assigned(
    session: AsyncSession,
    outbox: Outbox,
    config: CalendarConfig,
    group_id: uuid.UUID,
    starter_id: uuid.UUID,
    meetings: Sequence[datetime],
    *,
    replacement: bool = False,
    changed: bool = False,
    ids: dict[str, Any] | None = None,
) -> None:
    """Stage starter.assigned.v1 for these of the group's meetings (nothing when there are none)."""
    if not meetings:
        return
    starter = (
        await session.execute(
            select(starters.c.first_name, starters.c.email, starters.c.language).where(
                starters.c.id == starter_id
            )
        )
    ).one()
    group = (
        await session.execute(
            select(groups.c.district, groups.c.meeting_url, venues.c.name, venues.c.address)
            .outerjoin(venues, venues.c.id == groups.c.venue_id)
            .where(groups.c.group_id == group_id)
        )
    ).one()
    pattern = (
        await session.execute(
            select(series.c.weekday, series.c.start_time, series.c.interval_weeks, series.c.duration_minutes)
            .where(series.c.group_id == group_id)
            .order_by(series.c.segment.desc())
            .limit(1)
        )
    ).one_or_none()
    members = await session.scalar(
        select(func.count()).select_from(memberships).where(memberships.c.group_id == group_id)
    )
    event = StarterAssigned(
        group_id=group_id,
        district=group.district,
        starter_id=starter_id,
        first_name=starter.first_name,
        email=starter.email,
        language=_language(starter.language),
        meetings=sorted(meetings),
        duration_minutes=pattern.duration_minutes if pattern else 120,
        weekday=weekday_code(pattern.weekday) if pattern else None,
        start_time=pattern.start_time if pattern else None,
        interval_weeks=pattern.interval_weeks if pattern else 1,
        venue_name=group.name,
        venue_address=group.address or None,
        meeting_url=group.meeting_url,
        member_count=members or 0,
        feed_path=config.starter_feed_path(starter_id),
        replacement=replacement,
        changed=changed,
    )
    await outbox.add(session, event.envelope(source=SOURCE, **(ids or {})))


async def stage_starter_absence(
    session: AsyncSession, outbox: Outbox, group_id: uuid.UUID, meeting_start: datetime
) -> None:
    """Stage starter.absence_reported.v1: notifications tells the group's district office."""
    district = await session.scalar(select(groups.c.district).where(groups.c.group_id == group_id))
    event = StarterAbsenceReported(group_id=group_id, district=district, meeting_start=meeting_start)
    await outbox.add(session, event.envelope(source=SOURCE))


async def booked_starters(
    session: AsyncSession, group_id: uuid.UUID, now: datetime
) -> dict[uuid.UUID, frozenset[datetime]]:
    """Each starter's future meetings of the group, by the start of their bookings."""
    start = func.lower(starter_bookings.c.during, type_=DateTime(timezone=True))
    rows = await session.execute(
        select(starter_bookings.c.starter_id, start).where(
            starter_bookings.c.group_id == group_id, start >= now
        )
    )
    found: dict[uuid.UUID, set[datetime]] = {}
    for starter_id, meeting in rows.all():
        found.setdefault(starter_id, set()).add(meeting)
    return {starter_id: frozenset(meetings) for starter_id, meetings in found.items()}


async def tell_changed_starters(
    session: AsyncSession,
    outbox: Outbox,
    config: CalendarConfig,
    group_id: uuid.UUID,
    before: dict[uuid.UUID, frozenset[datetime]],
    now: datetime,
    ids: dict[str, Any] | None = None,
) -> None:
    """After a change of the group's schedule: a starter whose meetings moved hears its meetings now (one
    whose meetings are all gone, paused or ended, sees that on its page and in its feed)."""
    after = await booked_starters(session, group_id, now)
    for starter_id, meetings in after.items():
        if meetings != before.get(starter_id, frozenset()):
            await stage_starter_assigned(
                session, outbox, config, group_id, starter_id, sorted(meetings), changed=True, ids=ids
            )
