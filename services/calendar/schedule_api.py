"""Staff API of groups' meetings: see a group's schedule, change it, or schedule a failed group again."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from shared.web.dependencies import current_service

from . import changing, queries, schedule_changes
from .app import CalendarServiceDep
from .models import groups
from .queries import GroupSchedule, Weekday
from .schedule_changes import NO_SUCH_GROUP, Refused, change_schedule, weekday_index, weekly_time_change
from .web import Staff

schedules = APIRouter(prefix="/api/v1/staff/groups", tags=["group meetings"])


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
    service: CalendarServiceDep,
    user: Staff,
    status: Annotated[str | None, Query(pattern="^(to_schedule|scheduled|failed|ended)$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[GroupSummary]:
    query = select(groups).where(groups.c.district == user.district)
    if status:
        query = query.where(groups.c.status == status)
    async with service.sessions() as session:
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
async def schedule_again(
    group_id: uuid.UUID, request: Request, service: CalendarServiceDep, user: Staff
) -> GroupSchedule:
    """After adding a venue or a starter: the scheduler tries the group again at once."""
    await _refusals_as_http(lambda: schedule_changes.schedule_again(service, group_id, user.district))
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
    try:
        change = weekly_time_change(body.from_date, body.weekday, body.start_time)
    except Refused as refused:
        raise HTTPException(refused.status, refused.message) from None
    return await _change(request, user, group_id, change)


@schedules.post("/{group_id}/pause", response_model=GroupSchedule, summary="No meetings from a date on")
async def pause(group_id: uuid.UUID, body: PauseRequest, request: Request, user: Staff):
    return await _change(request, user, group_id, changing.pause(body.from_date))


@schedules.post("/{group_id}/resume", response_model=GroupSchedule, summary="Meet again after a pause")
async def resume(group_id: uuid.UUID, body: ResumeRequest, request: Request, user: Staff):
    change = changing.resume(
        body.from_date, body.interval_weeks, weekday_index(body.weekday), body.start_time
    )
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
async def _change(request: Request, user: Any, group_id: uuid.UUID, change: changing.Change) -> GroupSchedule:
    service = current_service(request)
    await _refusals_as_http(
        lambda: change_schedule(service, service.calendar, group_id, user.district, change)
    )
    return await _schedule(request, group_id, user.district)


async def _refusals_as_http(apply: Callable[[], Awaitable[None]]) -> None:
    try:
        await apply()
    except Refused as refused:
        raise HTTPException(refused.status, refused.message) from None


async def _schedule(request: Request, group_id: uuid.UUID, district: str) -> GroupSchedule:
    service = current_service(request)
    async with service.sessions() as session:
        schedule = await queries.group_schedule(session, service.calendar, group_id, district)
    if schedule is None:
        raise HTTPException(404, NO_SUCH_GROUP)
    return schedule
