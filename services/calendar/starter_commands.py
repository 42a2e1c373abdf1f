"""A starter's "I cannot come to this meeting", and the district office acting on it: booking another
starter for that meeting (who is told and gets it in its feed; the first no longer has it), or marking it
handled another way. The rows are what the district office's replacements page lists (starter_pages.py).
Both staff actions are audited with who and why."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.messaging import Outbox

from .config import CalendarConfig
from .models import audit_log, groups, memberships, starter_absences, starter_bookings, starters
from .plan import lock_booking_owners
from .starter_notices import stage_starter_absence, stage_starter_assigned

_START = func.lower(starter_bookings.c.during, type_=DateTime(timezone=True))


async def report_starter_absence(
    session: AsyncSession, outbox: Outbox, starter_id: uuid.UUID, group_id: uuid.UUID, meeting_start: datetime
) -> bool:
    """Record that the starter cannot come and tell the district office; False when it had already said
    so (a second click tells nobody again). A replacement who cannot come after all reopens the report in
    its own name, for the district office to find another."""
    statement = insert(starter_absences).values(
        group_id=group_id, meeting_start=meeting_start, starter_id=starter_id
    )
    added = await session.execute(
        statement.on_conflict_do_update(
            index_elements=["group_id", "meeting_start"],
            set_={
                "starter_id": statement.excluded.starter_id,
                "replacement_id": None,
                "handled_at": None,
                "handled_by": None,
                "reported_at": func.now(),
            },
            where=starter_absences.c.replacement_id == statement.excluded.starter_id,
        ).returning(starter_absences.c.group_id)
    )
    if added.first() is None:
        return False
    await stage_starter_absence(session, outbox, group_id, meeting_start)
    return True


def _report_in(district: str, group_id: uuid.UUID, meeting_start: datetime):
    in_district = groups.select().with_only_columns(groups.c.group_id).where(groups.c.district == district)
    return (
        starter_absences.c.group_id == group_id,
        starter_absences.c.meeting_start == meeting_start,
        starter_absences.c.group_id.in_(in_district),
    )


async def report_in_district(
    session: AsyncSession, district: str, group_id: uuid.UUID, meeting_start: datetime
) -> bool:
    """The district has this report (another district's looks like none: 404)."""
    found = await session.scalar(
        select(func.count())
        .select_from(starter_absences)
        .where(*_report_in(district, group_id, meeting_start))
    )
    return bool(found)


async def mark_starter_absence_handled(
    session: AsyncSession,
    district: str,
    group_id: uuid.UUID,
    meeting_start: datetime,
    *,
    actor: str,
    reason: str,
) -> bool:
    """The district office has found a replacement outside the system; False when its district has no
    such report."""
    done = await session.execute(
        update(starter_absences)
        .where(*_report_in(district, group_id, meeting_start))
        .values(handled_at=func.now(), handled_by=actor)
        .returning(starter_absences.c.group_id)
    )
    if done.first() is None:
        return False
    await _audit(
        session,
        actor,
        "starter_absence_handled",
        district,
        group_id,
        f"{meeting_start.isoformat()}: {reason}",
    )
    return True


@dataclass(frozen=True)
class Replaced:
    ok: bool
    problem: str | None = None  # a key of STARTER_TEXTS saying why not


async def assign_replacement(
    session: AsyncSession,
    outbox: Outbox,
    config: CalendarConfig,
    district: str,
    group_id: uuid.UUID,
    meeting_start: datetime,
    replacement_id: uuid.UUID,
    *,
    actor: str,
    reason: str,
    now: datetime,
) -> Replaced | None:
    """Book `replacement_id` for the meeting its starter cannot come to, in place of that starter.

    None when the district has no such report (the page answers 404). The booking row itself moves to the
    new starter, so the first one's feed and reminders no longer have the meeting and the new one's do;
    the report keeps who replaced it, so extending the plan later keeps the replacement (plan.py)."""
    report = (
        await session.execute(
            select(starter_absences.c.starter_id, starter_absences.c.replacement_id)
            .where(*_report_in(district, group_id, meeting_start))
            .with_for_update()
        )
    ).one_or_none()
    if report is None:
        return None
    if meeting_start <= now:
        return Replaced(False, "replace_past")
    if report.replacement_id is not None:
        return Replaced(False, "replace_already")
    chosen = await session.scalar(
        select(starters.c.id).where(
            starters.c.id == replacement_id, starters.c.district == district, starters.c.active
        )
    )
    if chosen is None or replacement_id == report.starter_id:
        return Replaced(False, "replace_unknown_starter")
    # Behind the starter's booking lock: a booking elsewhere at that time is seen, never raced.
    await lock_booking_owners(session, [(starter_bookings, replacement_id)])
    booked = await session.execute(
        select(starter_bookings.c.id, starter_bookings.c.during).where(
            starter_bookings.c.group_id == group_id, _START == meeting_start
        )
    )
    row = booked.one_or_none()
    if row is None:  # the meeting moved or was cancelled since the report
        return Replaced(False, "replace_no_meeting")
    busy = await session.scalar(
        select(func.count())
        .select_from(starter_bookings)
        .where(
            starter_bookings.c.starter_id == replacement_id,
            starter_bookings.c.during.op("&&")(row.during),
        )
    )
    if busy:
        return Replaced(False, "replace_busy")
    await session.execute(
        update(starter_bookings).where(starter_bookings.c.id == row.id).values(starter_id=replacement_id)
    )
    await session.execute(
        update(starter_absences)
        .where(*_report_in(district, group_id, meeting_start))
        .values(replacement_id=replacement_id, handled_at=func.now(), handled_by=actor)
    )
    await _audit(
        session,
        actor,
        "starter_replaced",
        district,
        group_id,
        f"{meeting_start.isoformat()} -> {replacement_id}: {reason}",
    )
    await stage_starter_assigned(
        session, outbox, config, group_id, replacement_id, [meeting_start], replacement=True
    )
    return Replaced(True)


async def _audit(
    session: AsyncSession, actor: str, action: str, district: str, group_id: uuid.UUID, detail: str
) -> None:
    await record_audit(
        session,
        audit_log,
        actor=actor,
        action=action,
        district=district,
        subject_id=group_id,
        detail=detail[:500],
    )


async def keep_first_names(session: AsyncSession, data: Any) -> None:
    """starter.roster_shared.v1: the members' first names for the starter's page. Only members the calendar
    has (someone who left meanwhile stays gone); deleting the membership row deletes the name."""
    for member in data.members:
        await session.execute(
            update(memberships)
            .where(
                memberships.c.group_id == data.group_id, memberships.c.participant_id == member.participant_id
            )
            .values(first_name=member.first_name[:100])
        )
