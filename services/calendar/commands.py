"""Commands of the calendar service: each runs inside the caller's transaction and stages its events in
the outbox, so the state change and its events commit together or not at all.

Scheduling lives in scheduling.py, reminders in reminding.py, staff changes to a series in changing.py.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import norway_today
from shared.contracts import Envelope, MeetingAtRisk
from shared.erasure import finish_erasure
from shared.messaging import InvalidMessage, Outbox
from shared.messaging.consumer import call_after_commit

from .breaks import group_breaks
from .config import CalendarConfig
from .domain import end_series
from .models import absences, at_risk_alerts, groups, memberships, starter_bookings, venue_bookings
from .plan import Booker, lock_booking_owners, sync_plan
from .store import load_series, save_series

log = logging.getLogger("selvhjelp.calendar.commands")
SOURCE = "calendar"


# --- the group's life, as grouping tells it -------------------------------------------------------
async def group_formed(
    session: AsyncSession, formed: Envelope[Any], wake_scheduler: Callable[[], None]
) -> None:
    """Keep the new group and wake the scheduler once this transaction has committed (woken before, it
    would find nothing)."""
    if await store_formed_group(session, formed):
        call_after_commit(wake_scheduler)


async def group_started(session: AsyncSession, data: Any) -> None:
    await require_group(session, data.group_id)
    await replace_members(session, data.group_id, data.members)


async def member_joined(session: AsyncSession, data: Any) -> None:
    await require_group(session, data.group_id)
    await add_member(session, data.group_id, data.participant_id, joined_on=norway_today())


async def member_left(session: AsyncSession, data: Any) -> None:
    await require_group(session, data.group_id)
    await remove_member(session, data.group_id, data.participant_id)


async def store_formed_group(session: AsyncSession, formed: Envelope[Any]) -> bool:
    """Keep a newly formed group for the scheduler; False when it was already known."""
    data = formed.data
    inserted = (
        await session.execute(
            insert(groups)
            .values(
                group_id=data.group_id,
                district=data.district,
                slot=data.slot,
                format=data.format.value,
                municipalities=list(data.municipalities),
                shared_slots=list(getattr(data, "shared_slots", None) or []) or None,
                status="to_schedule",
                formed_event_id=formed.event_id,
                correlation_id=formed.correlation_id,
            )
            .on_conflict_do_nothing()
            .returning(groups.c.group_id)
        )
    ).scalar_one_or_none()
    if inserted is None:
        return False
    await replace_members(session, data.group_id, data.members)
    return True


async def replace_members(session: AsyncSession, group_id: uuid.UUID, members: list[uuid.UUID]) -> None:
    await session.execute(
        delete(memberships).where(
            memberships.c.group_id == group_id, memberships.c.participant_id.not_in(members)
        )
    )
    if members:
        await session.execute(
            insert(memberships)
            .values([{"group_id": group_id, "participant_id": member} for member in members])
            .on_conflict_do_nothing()
        )


async def add_member(
    session: AsyncSession, group_id: uuid.UUID, participant_id: uuid.UUID, *, joined_on: date | None = None
) -> None:
    await session.execute(
        insert(memberships)
        .values(group_id=group_id, participant_id=participant_id, joined_on=joined_on)
        .on_conflict_do_nothing()
    )


async def remove_member(session: AsyncSession, group_id: uuid.UUID, participant_id: uuid.UUID) -> None:
    await session.execute(
        delete(memberships).where(
            memberships.c.group_id == group_id, memberships.c.participant_id == participant_id
        )
    )


ENDING_EVENTS = frozenset({"group.dissolved.v1", "group.ended.v1"})


async def lock_groups(session: AsyncSession, envelopes: Sequence[Envelope[Any]]) -> None:
    """Lock the rows of every group these messages are about, in one sorted order, before any handler.

    Why: the handlers lock their group's row (`require_group`) in message order, so two replicas' batches
    about G1 and G2 in opposite orders would wait for each other until PostgreSQL's deadlock check broke
    the circle (a second lost on both, and one batch retried). Groups not stored yet (this batch forms
    them) are skipped. The venues and starters of groups the batch ends are locked too, all at once in
    sorted order (as `extend_plans` does), so ending several groups cannot meet the scheduler halfway.
    """
    ids = sorted({group_id for e in envelopes if (group_id := getattr(e.data, "group_id", None))})
    if not ids:
        return
    rows = (
        await session.execute(
            select(groups.c.group_id, groups.c.venue_id, groups.c.starter_id)
            .where(groups.c.group_id.in_(ids))
            .order_by(groups.c.group_id)
            .with_for_update()
        )
    ).all()
    ending = {e.data.group_id for e in envelopes if e.event_type in ENDING_EVENTS}
    ended = [row for row in rows if row.group_id in ending]
    await lock_booking_owners(
        session,
        [(venue_bookings, row.venue_id) for row in ended]
        + [(starter_bookings, row.starter_id) for row in ended],
    )


async def require_group(session: AsyncSession, group_id: uuid.UUID) -> Any:
    """The group's row, locked; an event about a group never formed here cannot be applied."""
    row = (
        await session.execute(select(groups).where(groups.c.group_id == group_id).with_for_update())
    ).one_or_none()
    if row is None:
        raise InvalidMessage(f"group {group_id} is unknown to the calendar (no group.formed.v1 seen)")
    return row


async def end_group(
    session: AsyncSession, config: CalendarConfig, group_id: uuid.UUID, now: datetime
) -> None:
    """The group dissolved or ended: no meetings after today, future bookings and reminders released."""
    row = await require_group(session, group_id)
    if row.status == "ended":
        return
    today = now.astimezone(config.rules.zone).date()
    segments = await load_series(session, group_id, await group_breaks(session, config, group_id))
    # A meeting later today stays: it may be the one where the group says goodbye.
    ended = [
        one if one.last_day is not None and one.last_day <= today else end_series(one, today)
        for one in segments
    ]
    await save_series(session, ended)
    # sync_plan deletes the group's future bookings: behind its venue's and starter's locks, like every
    # other change to their bookings (Booker(None) books nothing, so sync_plan takes none itself).
    await lock_booking_owners(session, [(venue_bookings, row.venue_id), (starter_bookings, row.starter_id)])
    await sync_plan(
        session, config, group_id, ended, venue=Booker(None, False), starter=Booker(None, False), now=now
    )
    await session.execute(
        update(groups)
        .where(groups.c.group_id == group_id)
        .values(status="ended", updated_at=func.now(), ended_at=func.now())
    )


# --- attendance ----------------------------------------------------------------------------------
async def record_absence(
    session: AsyncSession, outbox: Outbox, config: CalendarConfig, reported: Envelope[Any], now: datetime
) -> None:
    """Note an absence; when too few can come to a coming meeting, flag it (once per meeting)."""
    data = reported.data
    row = await require_group(session, data.group_id)
    is_member = await session.scalar(
        select(func.count()).where(
            memberships.c.group_id == data.group_id, memberships.c.participant_id == data.participant_id
        )
    )
    if not is_member:  # left the group since; nothing to count
        log.info("absence of a non-member ignored", extra={"group_id": str(data.group_id)})
        return
    await session.execute(
        insert(absences)
        .values(group_id=data.group_id, participant_id=data.participant_id, meeting_start=data.meeting_start)
        .on_conflict_do_nothing()
    )
    members = await session.scalar(select(func.count()).where(memberships.c.group_id == data.group_id))
    # Only current members count: the absence of someone who has left since changes nothing.
    counted = absences.join(
        memberships,
        (absences.c.group_id == memberships.c.group_id)
        & (absences.c.participant_id == memberships.c.participant_id),
    )
    absent = await session.scalar(
        select(func.count())
        .select_from(counted)
        .where(absences.c.group_id == data.group_id, absences.c.meeting_start == data.meeting_start)
    )
    expected = members - absent
    if expected >= config.at_risk_threshold or data.meeting_start <= now:
        return
    flagged = (
        await session.execute(
            insert(at_risk_alerts)
            .values(group_id=data.group_id, meeting_start=data.meeting_start)
            .on_conflict_do_nothing()
            .returning(at_risk_alerts.c.group_id)
        )
    ).scalar_one_or_none()
    if flagged is None:
        return
    at_risk = MeetingAtRisk(
        group_id=data.group_id, meeting_start=data.meeting_start, absent=absent, expected=expected
    )
    await outbox.add(
        session,
        at_risk.envelope(source=SOURCE, correlation_id=row.correlation_id, causation_id=reported.event_id),
    )
    log.info("meeting flagged at risk", extra={"group_id": str(data.group_id)})


# --- erasure -------------------------------------------------------------------------------------
async def erase_person(session: AsyncSession, outbox: Outbox, erased: Envelope[Any]) -> int:
    """Delete what the calendar holds about the person: memberships and reported absences."""
    participant_id = erased.data.participant_id
    deleted = (
        await session.execute(delete(memberships).where(memberships.c.participant_id == participant_id))
    ).rowcount
    deleted += (
        await session.execute(delete(absences).where(absences.c.participant_id == participant_id))
    ).rowcount
    await finish_erasure(session, outbox, erased, service=SOURCE, rows_deleted=deleted)
    return deleted
