"""Scheduling a formed group: claim it, let the domain choose time, venue and starter, book, announce.

Runs in the scheduler (jobs.py), one group per transaction. Why not in the group.formed handler: the
choice reads every booking of the region, and two replicas racing for one venue must be able to lose and
try again with fresh data, which a consumer transaction cannot do without redelivering the message. The
handler only stores the group; here `FOR UPDATE SKIP LOCKED` lets replicas schedule different groups at
once while the exclusion constraints decide any race for a venue or starter.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import GroupSchedulingFailed, MeetingScheduled
from shared.messaging import Outbox
from shared.reference import are_neighbours, get_municipality

from .breaks import rules_for_group
from .config import CalendarConfig
from .domain import (
    GroupToSchedule,
    NoFit,
    SchedulingDecision,
    booking_windows,
    schedule_group,
    weekday_code,
)
from .models import groups, starters
from .plan import Booker, sync_plan
from .starter_notices import stage_starter_assigned
from .store import (
    load_starter_bookings,
    load_starters,
    load_venue_bookings,
    load_venues_for,
    members_of,
    save_series,
)

log = logging.getLogger("selvhjelp.calendar.scheduling")
SOURCE = "calendar"
# An unexpected error on one group must not block the groups behind it.
RETRY_AFTER_ERROR = timedelta(minutes=5)


@dataclass(frozen=True)
class Outcome:
    group_id: uuid.UUID
    scheduled: bool
    reason: str | None = None


def is_near(a: str, b: str) -> bool:
    try:
        return are_neighbours(a, b)
    except KeyError:  # a municipality number the reference does not know reaches nothing
        return False


def municipality_name(number: str) -> str:
    found = get_municipality(number)
    return found.name if found else number


async def claim_next_group(session: AsyncSession) -> Any | None:
    """The oldest group waiting to be scheduled, locked; None when none waits (or others hold them all)."""
    return (
        await session.execute(
            select(groups)
            .where(groups.c.status == "to_schedule", groups.c.schedule_after <= func.now())
            .order_by(groups.c.received_at, groups.c.group_id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
    ).one_or_none()


async def schedule_claimed(
    session: AsyncSession, outbox: Outbox, config: CalendarConfig, row: Any, now: datetime
) -> Outcome:
    """Choose, book and announce, or record and announce why nothing fits."""
    members = await members_of(session, row.group_id)
    group = GroupToSchedule(
        group_id=row.group_id,
        district=row.district,
        slot=row.slot,
        size=len(members),
        municipalities=tuple(row.municipalities),
        digital=row.format == "digital",
    )
    today = now.astimezone(config.rules.zone).date()
    venues = [] if group.digital else await load_venues_for(session, group.district, group.municipalities)
    candidates = await load_starters(session, group.district)
    # The group's own breaks (its counties' school breaks, unless it chose to meet) for the pure scheduler.
    rules = await rules_for_group(session, config, group.group_id, group.district)
    windows = booking_windows(group, today=today, rules=rules)
    result = schedule_group(
        group,
        today=today,
        venues=venues,
        bookings=await load_venue_bookings(session, [v.id for v in venues], now, windows),
        starters=candidates,
        starter_bookings=await load_starter_bookings(session, [s.id for s in candidates], now),
        is_near=is_near,
        rules=rules,
        municipality_name=municipality_name,
    )
    ids = {"correlation_id": row.correlation_id, "causation_id": row.formed_event_id}
    if isinstance(result, NoFit):
        await session.execute(
            update(groups)
            .where(groups.c.group_id == group.group_id)
            .values(
                status="failed",
                failure_reason=result.reason,
                failure_code={"code": result.code, "params": result.params} if result.code else None,
                updated_at=func.now(),
            )
        )
        failed = GroupSchedulingFailed(
            group_id=group.group_id,
            district=group.district,
            reason=result.reason,
            reason_code=result.code or None,
            reason_params=result.params,
        )
        await outbox.add(session, failed.envelope(source=SOURCE, **ids))
        log.info("group could not be scheduled", extra={"group_id": str(group.group_id)})
        return Outcome(group.group_id, scheduled=False, reason=result.reason)
    await _book(session, config, result, now)
    await outbox.add(
        session, (await _scheduled_event(session, config, result, row.slot)).envelope(source=SOURCE, **ids)
    )
    if result.starter_id:  # the starter is told which meetings it leads (issue 22, item 6)
        meetings = [meeting.start for meeting in result.starter_meetings]
        await stage_starter_assigned(
            session, outbox, config, group.group_id, uuid.UUID(result.starter_id), meetings, ids=ids
        )
    log.info("group scheduled", extra={"group_id": str(group.group_id)})
    return Outcome(group.group_id, scheduled=True)


async def postpone(session: AsyncSession, group_id: uuid.UUID, now: datetime) -> None:
    """Put a group that failed unexpectedly at the back for a while, so it cannot block the others."""
    await session.execute(
        update(groups)
        .where(groups.c.group_id == group_id, groups.c.status == "to_schedule")
        .values(schedule_after=now + RETRY_AFTER_ERROR)
    )


async def _book(
    session: AsyncSession, config: CalendarConfig, decision: SchedulingDecision, now: datetime
) -> None:
    group_id = decision.series.group_id
    venue_id = uuid.UUID(decision.venue.id) if decision.venue else None
    starter_id = uuid.UUID(decision.starter_id) if decision.starter_id else None
    await session.execute(
        update(groups)
        .where(groups.c.group_id == group_id)
        .values(
            status="scheduled",
            venue_id=venue_id,
            meeting_url=decision.meeting_url,
            starter_id=starter_id,
            failure_reason=None,
            failure_code=None,
            updated_at=func.now(),
        )
    )
    await save_series(session, [decision.series])
    # Strict: a clash means another scheduler won this venue or starter a moment ago.
    await sync_plan(
        session,
        config,
        group_id,
        [decision.series],
        venue=Booker(venue_id, strict=True),
        starter=Booker(starter_id, strict=True),
        now=now,
        first_plan=True,  # only waiting or failed groups are scheduled: they have no bookings yet
    )


async def _scheduled_event(
    session: AsyncSession, config: CalendarConfig, decision: SchedulingDecision, slot: str
) -> MeetingScheduled:
    series, venue = decision.series, decision.venue
    starter_name = None
    if decision.starter_id:
        starter_name = await session.scalar(
            select(starters.c.first_name).where(starters.c.id == uuid.UUID(decision.starter_id))
        )
    return MeetingScheduled(
        group_id=series.group_id,
        first_meeting=decision.first_meeting.start,
        weekday=weekday_code(series.weekday),
        start_time=series.start_time,
        duration_minutes=int(series.duration.total_seconds() // 60),
        interval_weeks=series.interval_weeks,
        venue_name=venue.name if venue else None,
        venue_address=(venue.address or None) if venue else None,
        meeting_url=decision.meeting_url,
        starter_name=starter_name,
        starter_meetings=len(decision.starter_meetings),
        feed_path=config.group_feed_path(series.group_id),
        slot=slot,
    )
