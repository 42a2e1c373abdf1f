"""Staff API of groups' meetings: see a group's schedule, change it, or schedule a failed group again."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from . import changing
from .models import groups, memberships, starters, venues
from .plan import is_booking_clash, meetings_between
from .registry_api import Weekday
from .rules import WEEKDAY_CODES
from .store import load_series
from .web import Staff, config_of, service_of

schedules = APIRouter(prefix="/api/v1/staff/groups", tags=["group meetings"])


class Segment(BaseModel):
    segment: int
    weekday: Weekday
    start_time: time
    first_date: date
    interval_weeks: int
    paused_from: date | None
    ended_on: date | None
    cancelled: list[date]
    moved: dict[date, datetime] = Field(description="Pattern day -> where that meeting was moved (local).")
    sequence: int


class GroupSchedule(BaseModel):
    group_id: uuid.UUID
    district: str
    status: str = Field(description="to_schedule, scheduled, failed or ended")
    format: str
    members: int
    failure_reason: str | None
    venue_id: uuid.UUID | None
    venue_name: str | None
    meeting_url: str | None
    starter_name: str | None
    segments: list[Segment]
    next_meetings: list[datetime]
    feed_path: str


class GroupSummary(BaseModel):
    group_id: uuid.UUID
    status: str
    slot: str
    format: str
    failure_reason: str | None


class FrequencyChange(BaseModel):
    from_date: date
    interval_weeks: int = Field(ge=1, le=2, description="1: every week, 2: every other week.")


class WeeklyTimeChange(BaseModel):
    from_date: date
    weekday: Weekday | None = None
    start_time: time | None = None


class PauseRequest(BaseModel):
    from_date: date


class ResumeRequest(BaseModel):
    from_date: date
    interval_weeks: int | None = Field(default=None, ge=1, le=2)
    weekday: Weekday | None = None
    start_time: time | None = None


class EndRequest(BaseModel):
    on_date: date = Field(description="The last day that may still have a meeting.")


class MoveRequest(BaseModel):
    new_start: datetime = Field(description="New start; without an offset it is Europe/Oslo wall-clock time.")


@schedules.get("", response_model=list[GroupSummary], summary="Groups of my district in the calendar")
async def list_groups(
    request: Request,
    user: Staff,
    status: Annotated[str | None, Query(pattern="^(to_schedule|scheduled|failed|ended)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[GroupSummary]:
    query = select(groups).where(groups.c.district == user.district)
    if status:
        query = query.where(groups.c.status == status)
    async with service_of(request).sessions() as session:
        rows = (await session.execute(query.order_by(groups.c.received_at.desc()).limit(limit))).all()
    return [
        GroupSummary(
            group_id=r.group_id,
            status=r.status,
            slot=r.slot,
            format=r.format,
            failure_reason=r.failure_reason,
        )
        for r in rows
    ]


@schedules.get("/{group_id}", response_model=GroupSchedule, summary="A group's meetings")
async def read_schedule(group_id: uuid.UUID, request: Request, user: Staff) -> GroupSchedule:
    return await _schedule(request, group_id, user.district)


@schedules.post("/{group_id}/schedule", response_model=GroupSchedule, summary="Schedule a failed group again")
async def schedule_again(group_id: uuid.UUID, request: Request, user: Staff) -> GroupSchedule:
    """After adding a venue or a starter: the scheduler tries the group again at once."""
    service = service_of(request)
    async with service.transaction() as uow:
        changed = (
            await uow.session.execute(
                update(groups)
                .where(
                    groups.c.group_id == group_id,
                    groups.c.district == user.district,
                    groups.c.status == "failed",
                )
                .values(
                    status="to_schedule",
                    failure_reason=None,
                    schedule_after=func.now(),
                    updated_at=func.now(),
                )
                .returning(groups.c.group_id)
            )
        ).scalar_one_or_none()
    if changed is None:
        await _schedule(request, group_id, user.district)  # 404 for an unknown group, else:
        raise HTTPException(409, "only a group whose scheduling failed can be scheduled again")
    service.jobs.wake()
    return await _schedule(request, group_id, user.district)


@schedules.post(
    "/{group_id}/frequency", response_model=GroupSchedule, summary="Meet weekly or every other week"
)
async def switch_frequency(group_id: uuid.UUID, body: FrequencyChange, request: Request, user: Staff):
    return await _change(
        request, user, group_id, changing.switch_frequency(body.from_date, body.interval_weeks)
    )


@schedules.post(
    "/{group_id}/weekly-time", response_model=GroupSchedule, summary="Move the weekday and/or time"
)
async def move_weekly_time(group_id: uuid.UUID, body: WeeklyTimeChange, request: Request, user: Staff):
    if body.weekday is None and body.start_time is None:
        raise HTTPException(422, "give a new weekday, a new start time, or both")
    change = changing.move_weekly_time(body.from_date, _weekday(body.weekday), body.start_time)
    return await _change(request, user, group_id, change)


@schedules.post("/{group_id}/pause", response_model=GroupSchedule, summary="No meetings from a date on")
async def pause(group_id: uuid.UUID, body: PauseRequest, request: Request, user: Staff):
    return await _change(request, user, group_id, changing.pause(body.from_date))


@schedules.post("/{group_id}/resume", response_model=GroupSchedule, summary="Meet again after a pause")
async def resume(group_id: uuid.UUID, body: ResumeRequest, request: Request, user: Staff):
    change = changing.resume(body.from_date, body.interval_weeks, _weekday(body.weekday), body.start_time)
    return await _change(request, user, group_id, change)


@schedules.post("/{group_id}/end", response_model=GroupSchedule, summary="End the group's meetings")
async def end(group_id: uuid.UUID, body: EndRequest, request: Request, user: Staff):
    return await _change(request, user, group_id, changing.end(body.on_date))


@schedules.post(
    "/{group_id}/meetings/{original_date}/cancel", response_model=GroupSchedule, summary="Cancel one meeting"
)
async def cancel_meeting(group_id: uuid.UUID, original_date: date, request: Request, user: Staff):
    return await _change(request, user, group_id, changing.cancel_occurrence(original_date))


@schedules.post(
    "/{group_id}/meetings/{original_date}/move", response_model=GroupSchedule, summary="Move one meeting"
)
async def move_meeting(
    group_id: uuid.UUID, original_date: date, body: MoveRequest, request: Request, user: Staff
):
    return await _change(request, user, group_id, changing.move_occurrence(original_date, body.new_start))


# --- helpers -------------------------------------------------------------------------------------
def _weekday(code: str | None) -> int | None:
    return WEEKDAY_CODES.index(code) if code else None


async def _change(request: Request, user: Any, group_id: uuid.UUID, change: changing.Change) -> GroupSchedule:
    service, config = service_of(request), config_of(request)

    async def apply() -> None:
        async with service.transaction() as uow:
            await changing.apply_change(
                uow.session, uow.outbox, config, group_id, user.district, change, datetime.now(UTC)
            )

    await _refusals_as_http(apply)
    return await _schedule(request, group_id, user.district)


async def _refusals_as_http(apply: Callable[[], Awaitable[None]]) -> None:
    try:
        await apply()
    except changing.GroupNotFound:
        raise HTTPException(404, "no such group in your district") from None
    except changing.ChangeRefused as refused:
        raise HTTPException(422, str(refused)) from None
    except changing.VenueUnavailable as unavailable:
        raise HTTPException(409, str(unavailable)) from None
    except IntegrityError as error:
        if not is_booking_clash(error):
            raise
        raise HTTPException(409, "the venue is booked by another group at that time") from None


async def _schedule(request: Request, group_id: uuid.UUID, district: str) -> GroupSchedule:
    config = config_of(request)
    async with service_of(request).sessions() as session:
        row = (
            await session.execute(
                select(groups, venues.c.name.label("venue_name"), starters.c.first_name.label("starter_name"))
                .outerjoin(venues, venues.c.id == groups.c.venue_id)
                .outerjoin(starters, starters.c.id == groups.c.starter_id)
                .where(groups.c.group_id == group_id, groups.c.district == district)
            )
        ).one_or_none()
        if row is None:
            raise HTTPException(404, "no such group in your district")
        members = await session.scalar(select(func.count()).where(memberships.c.group_id == group_id))
        segments = await load_series(session, group_id, config.rules.breaks_for(row.district))
    now = datetime.now(UTC)
    upcoming = meetings_between(segments, now, now + timedelta(weeks=12), config)[:10]
    return GroupSchedule(
        group_id=row.group_id,
        district=row.district,
        status=row.status,
        format=row.format,
        members=members,
        failure_reason=row.failure_reason,
        venue_id=row.venue_id,
        venue_name=row.venue_name,
        meeting_url=row.meeting_url,
        starter_name=row.starter_name,
        segments=[
            Segment(
                segment=one.segment,
                weekday=WEEKDAY_CODES[one.weekday],
                start_time=one.start_time,
                first_date=one.first_date,
                interval_weeks=one.interval_weeks,
                paused_from=one.paused_from,
                ended_on=one.ended_on,
                cancelled=sorted(one.cancelled),
                moved={moved.original_date: moved.start for moved in one.overrides},
                sequence=one.sequence,
            )
            for one in segments
        ],
        next_meetings=[meeting.start for meeting in upcoming],
        feed_path=config.group_feed_path(group_id),
    )
