"""Calendar's staff page of a group's schedule and its changes: frequency, weekly time, pause, resume,
end, schedule again. Venues and starters are in venue_pages.py, a member's meetings in member_pages.py.

The forms call the same use cases as the JSON staff API (schedule_changes.py), so the rules and
refusals are the same; a refusal comes back as the page's error line.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from datetime import date, time
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from shared.clock import norway_today
from shared.web import redirect
from shared.web.dependencies import current_service
from shared.web.staff import staff_page
from shared.web_auth import StaffPageUser

from . import changing, queries
from .app import CalendarServiceDep
from .pages_common import environment, flash_messages, staff_globals, staff_texts
from .rules import WEEKDAY_CODES
from .schedule_changes import NO_SUCH_GROUP, Refused, change_schedule, schedule_again, weekly_time_change

calendar_pages = APIRouter(include_in_schema=False)


@calendar_pages.get("/staff/groups/{group_id}")
async def group_schedule_page(
    group_id: uuid.UUID, request: Request, service: CalendarServiceDep, user: StaffPageUser
) -> Response:
    language, t = staff_texts(request)
    async with service.sessions() as session:
        schedule = await queries.group_schedule(session, service.calendar, group_id, user.district, language)
    if schedule is None:
        raise HTTPException(404, NO_SUCH_GROUP)
    grouping = service.settings.grouping_url
    return staff_page(
        environment,
        "staff/schedule.html",
        request,
        user,
        "groups",
        language=language,
        page_title=t["schedule_title"],
        s=schedule,
        today=norway_today().isoformat(),
        grouping_url=grouping,
        calendar_url=service.settings.calendar_url,
        **flash_messages(request),
        **staff_globals(language),
    )


def _back_to_schedule(request: Request, group_id: uuid.UUID, language: str, **message: str) -> Response:
    return redirect(request, f"/staff/groups/{group_id}?" + urlencode(message), language)


async def _done_or_refused(
    request: Request, group_id: uuid.UUID, use_case: Awaitable[None], done: str
) -> Response:
    """Run the use case and go back to the schedule page with its confirmation (`done_<done>` in
    staff_texts, in the reader's language) or its refusal."""
    language, t = staff_texts(request)
    try:
        await use_case
    except Refused as refused:
        return _back_to_schedule(request, group_id, language, error=refused.message)
    return _back_to_schedule(request, group_id, language, done=t[f"done_{done}"])


def _apply(request: Request, user: StaffPageUser, group_id: uuid.UUID, change: changing.Change, done: str):
    service = current_service(request)
    use_case = change_schedule(service, service.calendar, group_id, user.district, change)
    return _done_or_refused(request, group_id, use_case, done)


@calendar_pages.post("/staff/groups/{group_id}/frequency")
async def change_frequency(
    group_id: uuid.UUID,
    request: Request,
    user: StaffPageUser,
    from_date: Annotated[date, Form()],
    interval_weeks: Annotated[int, Form(ge=1, le=2)],
) -> Response:
    return await _apply(
        request, user, group_id, changing.switch_frequency(from_date, interval_weeks), "frequency"
    )


@calendar_pages.post("/staff/groups/{group_id}/weekly-time")
async def change_weekly_time(
    group_id: uuid.UUID,
    request: Request,
    user: StaffPageUser,
    from_date: Annotated[date, Form()],
    weekday: Annotated[str, Form()] = "",
    start_time: Annotated[str, Form()] = "",
) -> Response:
    language, t = staff_texts(request)
    try:
        if weekday and weekday not in WEEKDAY_CODES:
            raise ValueError(weekday)
        new_time = time.fromisoformat(start_time) if start_time else None
    except ValueError:
        return _back_to_schedule(request, group_id, language, error=t["invalid_day_or_time"])
    try:
        change = weekly_time_change(from_date, weekday or None, new_time)
    except Refused as refused:
        return _back_to_schedule(request, group_id, language, error=refused.message)
    return await _apply(request, user, group_id, change, "weekly_time")


@calendar_pages.post("/staff/groups/{group_id}/pause")
async def pause_group(
    group_id: uuid.UUID, request: Request, user: StaffPageUser, from_date: Annotated[date, Form()]
) -> Response:
    return await _apply(request, user, group_id, changing.pause(from_date), "pause")


@calendar_pages.post("/staff/groups/{group_id}/resume")
async def resume_group(
    group_id: uuid.UUID, request: Request, user: StaffPageUser, from_date: Annotated[date, Form()]
) -> Response:
    return await _apply(request, user, group_id, changing.resume(from_date, None, None, None), "resume")


@calendar_pages.post("/staff/groups/{group_id}/end")
async def end_group(group_id: uuid.UUID, request: Request, user: StaffPageUser) -> Response:
    """Ending is grouping's (`end_group`): there the members, registration and notifications follow, and
    group.ended.v1 brings the end back here. An old form posted here goes to that page."""
    service = current_service(request)
    return RedirectResponse(f"{service.settings.grouping_url}/staff/groups/{group_id}#end", status_code=303)


@calendar_pages.post("/staff/groups/{group_id}/schedule")
async def schedule_group_again(
    group_id: uuid.UUID, request: Request, service: CalendarServiceDep, user: StaffPageUser
) -> Response:
    use_case = schedule_again(service, group_id, user.district)
    return await _done_or_refused(request, group_id, use_case, "schedule")
