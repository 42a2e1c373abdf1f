"""The starter's pages (role `starter`, ADR 0014) and the district office's list of meetings a starter
cannot come to.

    GET  /starter                                  the groups the starter is assigned to, its meetings
    POST /starter/groups/{group_id}/cannot-come    "I cannot come to this meeting" (form: meeting_start)
    GET  /feeds/starters/{token}.ics               its meetings as a calendar feed, behind a signed link
    GET  /staff/replacements                       the district office: meetings starters cannot come to
    POST /staff/replacements/assign                ... book another starter for that meeting (told by mail)
    POST /staff/replacements/handled               ... a replacement was found another way

A starter sees only its own groups: another group (of its district or any other) answers 404, as for the
district office. Forms are plain POSTs protected by the SameSite=Strict session cookie.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request, Response

from shared.auth import InvalidLink
from shared.texts import text, texts_for
from shared.web import choose_language, redirect
from shared.web.roles import role_page
from shared.web.staff import staff_page
from shared.web_auth import STARTER_ROLE, StaffPageUser, StarterPageUser

from .app import CalendarServiceDep
from .config import STARTER_FEED
from .models import starters
from .pages_common import environment, flash_messages, oslo_time
from .starter_commands import (
    assign_replacement,
    mark_starter_absence_handled,
    report_in_district,
    report_starter_absence,
)
from .starter_feed import StarterFeedMeeting, starter_feed
from .starter_queries import (
    district_starter_absences,
    district_starters,
    starter_groups,
    starter_meeting_booked,
    starter_of,
)
from .starter_texts import STARTER_TEXTS

NO_SUCH_MEETING = "no such meeting of yours"

starter_pages = APIRouter(include_in_schema=False)
starter_feeds = APIRouter(prefix="/feeds", tags=["calendar feeds"])


def _texts(request: Request) -> tuple[str, dict[str, str]]:
    language = choose_language(request)
    return language, texts_for(STARTER_TEXTS, language)


@starter_pages.get("/starter")
async def starter_home(request: Request, service: CalendarServiceDep, user: StarterPageUser) -> Response:
    now = service.clock()
    async with service.sessions() as session:
        starter = await starter_of(session, user)
        groups = await starter_groups(session, starter.id, now) if starter else []
    language, t = _texts(request)
    feed = None
    if starter is not None:
        feed = f"{service.settings.calendar_url}{service.calendar.starter_feed_path(starter.id)}"
    return role_page(
        environment,
        "staff/starter.html",
        request,
        user,
        STARTER_ROLE,
        language=language,
        page_title=t["home_title"],
        t=t,
        starter=starter,
        groups=groups,
        feed_url=feed,
        now=now,
        members_count=lambda count: text(STARTER_TEXTS, language, "members_count", count=count),
        oslo=lambda moment: oslo_time(moment, language),
        **flash_messages(request),
    )


@starter_pages.post("/starter/groups/{group_id}/cannot-come")
async def cannot_come(
    group_id: uuid.UUID,
    request: Request,
    service: CalendarServiceDep,
    user: StarterPageUser,
    meeting_start: Annotated[datetime, Form()],
) -> Response:
    language, t = _texts(request)
    async with service.transaction() as work:
        starter = await starter_of(work.session, user)
        if (
            starter is None
            or meeting_start.tzinfo is None
            or meeting_start <= work.now()
            or not await starter_meeting_booked(work.session, starter.id, group_id, meeting_start)
        ):
            raise HTTPException(404, NO_SUCH_MEETING)  # another's group or meeting looks like none
        added = await report_starter_absence(work.session, work.outbox, starter.id, group_id, meeting_start)
    message = t["reported_done"] if added else t["reported_again"]
    return redirect(request, "/starter?" + urlencode({"done": message}), language)


@starter_feeds.get(
    "/starters/{token}.ics",
    response_class=Response,
    responses={
        200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "RFC 5545"}
    },
    summary="A starter's meetings",
)
async def starter_calendar(token: str, request: Request, service: CalendarServiceDep) -> Response:
    try:
        starter_id = await service.person_from_link(STARTER_FEED, token)
    except InvalidLink:
        raise HTTPException(404, "no calendar for this link (it may have expired)") from None
    async with service.sessions() as session:
        active = await session.scalar(
            starters.select().with_only_columns(starters.c.active).where(starters.c.id == starter_id)
        )
        if not active:  # a starter who has stopped gets no more meetings
            raise HTTPException(404, "no calendar for this link (it may have expired)")
        groups = await starter_groups(session, starter_id, service.clock())
    meetings = [
        StarterFeedMeeting(
            group.group_id,
            meeting.start,
            meeting.end,
            ", ".join(p for p in (group.venue_name, group.venue_address) if p) or group.meeting_url,
            cancelled=meeting.cannot_come,
        )
        for group in groups
        for meeting in group.meetings
    ]
    body = starter_feed(meetings, rules=service.calendar.rules)
    # Private: a shared proxy must not keep one person's calendar for another.
    return Response(
        body, media_type="text/calendar; charset=utf-8", headers={"Cache-Control": "private, max-age=300"}
    )


# --- the district office ----------------------------------------------------------------------------
@starter_pages.get("/staff/replacements")
async def replacements_page(request: Request, service: CalendarServiceDep, user: StaffPageUser) -> Response:
    # Reports of meetings that started more than a day ago are history, not work.
    since = service.clock() - timedelta(days=1)
    async with service.sessions() as session:
        rows = await district_starter_absences(session, user.district, since)
        candidates = await district_starters(session, user.district)
    language, t = _texts(request)
    return staff_page(
        environment,
        "staff/replacements.html",
        request,
        user,
        "replacements",
        language=language,
        page_title=t["replacements_title"],
        t=t,
        rows=rows,
        candidates=candidates,
        oslo=lambda moment: oslo_time(moment, language),
        **flash_messages(request),
    )


async def _report_or_404(service, district: str, group_id: uuid.UUID, meeting_start: datetime) -> None:
    async with service.sessions() as session:
        if not await report_in_district(session, district, group_id, meeting_start):
            raise HTTPException(404, "no such report in your district")


def _back(request: Request, language: str, **message: str) -> Response:
    return redirect(request, "/staff/replacements?" + urlencode(message), language)


@starter_pages.post("/staff/replacements/assign")
async def replacement_assign(
    request: Request,
    service: CalendarServiceDep,
    user: StaffPageUser,
    group_id: Annotated[uuid.UUID, Form()],
    meeting_start: Annotated[datetime, Form()],
    starter_id: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    language, t = _texts(request)
    await _report_or_404(service, user.district, group_id, meeting_start)
    if not reason.strip():
        return _back(request, language, error=t["reason_missing"])
    try:
        chosen = uuid.UUID(starter_id)
    except ValueError:
        return _back(request, language, error=t["replace_unknown_starter"])
    async with service.transaction() as work:
        done = await assign_replacement(
            work.session,
            work.outbox,
            service.calendar,
            user.district,
            group_id,
            meeting_start,
            chosen,
            actor=user.subject,
            reason=reason.strip(),
            now=work.now(),
        )
        if done is None:
            raise HTTPException(404, "no such report in your district")
    if not done.ok:
        return _back(request, language, error=t[done.problem or "replace_unknown_starter"])
    return _back(request, language, done=t["replaced_done"])


@starter_pages.post("/staff/replacements/handled")
async def replacement_handled(
    request: Request,
    service: CalendarServiceDep,
    user: StaffPageUser,
    group_id: Annotated[uuid.UUID, Form()],
    meeting_start: Annotated[datetime, Form()],
    reason: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    language, t = _texts(request)
    await _report_or_404(service, user.district, group_id, meeting_start)
    if not reason.strip():
        return _back(request, language, error=t["reason_missing"])
    async with service.transaction() as work:
        marked = await mark_starter_absence_handled(
            work.session, user.district, group_id, meeting_start, actor=user.subject, reason=reason.strip()
        )
        if not marked:
            raise HTTPException(404, "no such report in your district")
    return _back(request, language, done=t["handled_done"])
