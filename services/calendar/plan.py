"""Keeping a group's concrete rows in step with its series: venue and starter bookings, and reminders.

Bookings and reminders exist for the meetings in a rolling horizon (`CalendarConfig.horizon`). After any
change (scheduling, a move, a cancellation, a pause, the end) `sync_plan` rewrites the group's future rows
from the series, so the rows can never drift from what the feed shows. Past rows and sent reminders are
left alone: a sent reminder's row is what stops it from being created, and sent, a second time.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.db.locks import lock_key, lock_keys

from .config import CalendarConfig, reminder_kind
from .domain import MeetingSeries, Occurrence, first_occurrences, occurrences, reminder_due_times
from .models import groups, reminders, starter_absences, starter_bookings, venue_bookings

log = logging.getLogger("selvhjelp.calendar.plan")

EXCLUSION_VIOLATION = "23P01"
DEADLOCK_DETECTED = "40P01"


def sqlstate(error: BaseException) -> str | None:
    orig = getattr(error, "orig", None)
    for candidate in (orig, getattr(orig, "__cause__", None)):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if code:
            return str(code)
    return None


def is_booking_clash(error: BaseException) -> bool:
    """The exclusion constraint refused a booking: the venue or starter is taken at that time."""
    return isinstance(error, DBAPIError) and sqlstate(error) == EXCLUSION_VIOLATION


def is_booking_race(error: BaseException) -> bool:
    """Another transaction booked the same venue or starter first (or the two deadlocked doing so)."""
    return isinstance(error, DBAPIError) and sqlstate(error) in (EXCLUSION_VIOLATION, DEADLOCK_DETECTED)


@dataclass(frozen=True)
class Booker:
    """Whose bookings to sync, and whether a clash must fail the transaction (`strict`) or be skipped.

    `strict_only` narrows strictness to these meeting starts (UTC): a change must get the meetings it
    creates, but an old clash elsewhere in the horizon must not block it.
    """

    owner_id: uuid.UUID | None
    strict: bool
    strict_only: frozenset[datetime] | None = None

    def must_get(self, start: datetime) -> bool:
        return self.strict and (self.strict_only is None or start in self.strict_only)


def meetings_between(
    segments: Sequence[MeetingSeries], start: datetime, end: datetime, config: CalendarConfig
):
    found = [occurrence for one in segments for occurrence in occurrences(one, start, end, config.rules)]
    return sorted(found, key=lambda occurrence: occurrence.start)


def starter_meetings(segments: Sequence[MeetingSeries], config: CalendarConfig) -> list[Occurrence]:
    """The group's first N meetings over all its segments: the ones its starter attends."""
    count = config.rules.starter_meetings
    found = [occurrence for one in segments for occurrence in first_occurrences(one, count, config.rules)]
    return sorted(found, key=lambda occurrence: occurrence.start)[:count]


async def lock_booking_owners(
    session: AsyncSession, owners: Iterable[tuple[Table, uuid.UUID | None]]
) -> None:
    """Let one transaction at a time book each of these venues and starters, until it ends.

    Why: two transactions inserting overlapping bookings for one venue each wait for the other's rows in
    the exclusion constraint's check; PostgreSQL only breaks that deadlock after `deadlock_timeout` (1 s),
    and schedulers retrying side by side can meet again and again. Behind this lock the later transaction
    waits for the earlier one to end and then sees its rows: an immediate clash, never a deadlock. The keys
    are taken in one sorted order, so two transactions that want the same ones cannot wait for each other.
    """
    await lock_keys(
        session,
        (lock_key(f"{table.fullname}:{owner_id}") for table, owner_id in owners if owner_id is not None),
    )


async def sync_plan(
    session: AsyncSession,
    config: CalendarConfig,
    group_id: uuid.UUID,
    segments: Sequence[MeetingSeries],
    *,
    venue: Booker,
    starter: Booker,
    now: datetime,
    first_plan: bool = False,
) -> None:
    """Make the group's future bookings and pending reminders match its series up to the horizon.

    A strict clash raises the database's exclusion violation (IntegrityError, SQLSTATE 23P01), which
    rolls the caller's transaction back: the change does not happen. `first_plan`: the group is being
    scheduled (it was waiting or had failed, so it has no rows yet): nothing to read and compare.
    """
    until = now + config.horizon
    meetings = meetings_between(segments, now, until, config)
    # Meetings the district office gave another starter (starter_commands.py) stay theirs.
    replaced = {} if first_plan or starter.owner_id is None else await _replacements(session, group_id)
    await lock_booking_owners(
        session,
        [(venue_bookings, venue.owner_id), (starter_bookings, starter.owner_id)]
        + [(starter_bookings, owner) for owner in set(replaced.values())],
    )
    await _sync_bookings(session, venue_bookings, "venue_id", group_id, venue, meetings, now, first_plan)
    first = [meeting for meeting in starter_meetings(segments, config) if meeting.start >= now]
    await _sync_bookings(
        session, starter_bookings, "starter_id", group_id, starter, first, now, first_plan, replaced
    )
    await _sync_reminders(session, config, group_id, meetings, now, first_plan)
    await session.execute(
        update(groups).where(groups.c.group_id == group_id).values(planned_until=until, updated_at=func.now())
    )


async def _sync_bookings(
    session: AsyncSession,
    table: Table,
    owner_column: str,
    group_id: uuid.UUID,
    booker: Booker,
    meetings: Sequence[Occurrence],
    now: datetime,
    first_plan: bool = False,
    owners: dict[datetime, uuid.UUID] | None = None,
) -> None:
    """`owners`: who is booked for some meetings instead of the booker (by UTC start)."""
    owner = table.c[owner_column]
    existing: dict[tuple, int] = {}
    if not first_plan:
        rows = await session.execute(
            select(table.c.id, owner, func.lower(table.c.during), func.upper(table.c.during)).where(
                table.c.group_id == group_id, func.lower(table.c.during) >= now
            )
        )
        existing = {(owner_id, _utc(start), _utc(end)): row_id for row_id, owner_id, start, end in rows.all()}
    owners = owners or {}
    wanted = (
        {(owners.get(_utc(m.start), booker.owner_id), _utc(m.start), _utc(m.end)) for m in meetings}
        if booker.owner_id
        else set()
    )
    stale = [row_id for key, row_id in existing.items() if key not in wanted]
    if stale:
        await session.execute(delete(table).where(table.c.id.in_(stale)))
    missing = sorted(wanted - existing.keys(), key=lambda key: key[1])
    rows = [
        {"owner": owner_id, "group": group_id, "start": start, "end": end} for owner_id, start, end in missing
    ]
    must = [row for row in rows if booker.must_get(row["start"])]
    may = [row for row in rows if not booker.must_get(row["start"])]
    statement = _insert_booking(table, owner_column)
    if must:  # one round trip for all of them; a clash raises and rolls the whole change back
        await session.execute(statement, must)
    if may:
        # A rolling extension must not undo the whole group's plan over one clash: skip it and say so.
        got = await session.execute(
            statement.on_conflict_do_nothing().returning(func.lower(table.c.during)), may
        )
        booked = {_utc(start) for (start,) in got.all()}
        for row in may:
            if row["start"] not in booked:
                log.warning(
                    "booking clash; meeting left without this booking",
                    extra={
                        "group_id": str(group_id),
                        owner_column: str(row["owner"]),
                        "meeting_start": row["start"].isoformat(),
                    },
                )


async def _replacements(session: AsyncSession, group_id: uuid.UUID) -> dict[datetime, uuid.UUID]:
    # Whoever holds the meeting now: the replacement, or a replacement who cannot come after all and keeps
    # it until the district office finds another (the original starter's own report changes nothing).
    owner = func.coalesce(starter_absences.c.replacement_id, starter_absences.c.starter_id)
    rows = await session.execute(
        select(starter_absences.c.meeting_start, owner)
        .join(groups, groups.c.group_id == starter_absences.c.group_id)
        .where(starter_absences.c.group_id == group_id, owner != groups.c.starter_id)
    )
    return {_utc(start): owner for start, owner in rows.all()}


@functools.cache
def _insert_booking(table: Table, owner_column: str):
    """Built once per table: executemany sends all of a group's bookings in one statement."""
    return insert(table).values(
        {
            owner_column: bindparam("owner"),
            "group_id": bindparam("group"),
            "during": func.tstzrange(bindparam("start"), bindparam("end"), "[)"),
        }
    )


async def _sync_reminders(
    session: AsyncSession,
    config: CalendarConfig,
    group_id: uuid.UUID,
    meetings: Sequence[Occurrence],
    now: datetime,
    first_plan: bool = False,
) -> None:
    due = {
        (_utc(meeting.start), reminder_kind(offset)): at
        for meeting in meetings
        for offset in config.reminder_offsets
        for at in reminder_due_times(meeting.start, (offset,))
    }
    # Withdraw reminders of meetings that no longer take place (cancelled, moved, paused, ended). A
    # reminder that is overdue but still pending (the service was down) is kept: the sender sends it.
    if not first_plan:
        pending = await session.execute(_PENDING_REMINDERS, {"group": group_id, "now": now})
        stale = [row_id for row_id, start, kind in pending.all() if (_utc(start), kind) not in due]
        if stale:
            await session.execute(delete(reminders).where(reminders.c.id.in_(stale)))
    fresh = [
        {"group_id": group_id, "meeting_start": start, "kind": kind, "due_at": at}
        for (start, kind), at in sorted(due.items())
        if at >= now  # a reminder whose time has passed (a meeting moved at short notice) is not sent late
    ]
    if fresh:
        await session.execute(_INSERT_REMINDER, fresh)  # executemany: one statement, compiled once


# Built once: statements rebuilt per group cost more CPU to compile than their round trips.
_PENDING_REMINDERS = select(reminders.c.id, reminders.c.meeting_start, reminders.c.kind).where(
    reminders.c.group_id == bindparam("group"),
    reminders.c.state == "pending",
    reminders.c.meeting_start >= bindparam("now"),
)
_INSERT_REMINDER = insert(reminders).on_conflict_do_nothing(
    index_elements=["group_id", "meeting_start", "kind"]
)


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
