"""iCalendar feeds over HTTP: per group and per participant, behind signed links (no account needed).

A calendar app fetches these again every few hours, so the answer is built fresh from the series each
time. A link that is not valid answers 404 like a missing feed: it tells a guesser nothing.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from fastapi import APIRouter, HTTPException, Request, Response
from sqlalchemy import select

from shared.auth import InvalidLink
from shared.web.dependencies import current_service

from . import queries
from .app import CalendarServiceDep
from .breaks import group_breaks
from .config import GROUP_FEED, PARTICIPANT_FEED
from .domain import GroupSchedule, group_feed, participant_feed
from .joining import from_joining
from .models import groups
from .store import load_series, load_venue

feeds = APIRouter(prefix="/feeds", tags=["calendar feeds"])

CALENDAR = "text/calendar; charset=utf-8"
_ICS = {200: {"content": {"text/calendar": {"schema": {"type": "string"}}}, "description": "RFC 5545"}}


async def _subject(request: Request, purpose: str, token: str) -> uuid.UUID:
    try:
        return await current_service(request).person_from_link(purpose, token)
    except InvalidLink:
        raise HTTPException(404, "no calendar for this link (it may have expired)") from None


def _calendar(body: bytes) -> Response:
    # Private: a shared proxy must not keep one person's calendar for another.
    return Response(body, media_type=CALENDAR, headers={"Cache-Control": "private, max-age=300"})


async def _schedule(session, group_row, config) -> GroupSchedule | None:
    segments = await load_series(
        session, group_row.group_id, await group_breaks(session, config, group_row.group_id)
    )
    if not segments:
        return None
    venue = await load_venue(session, group_row.venue_id)
    return GroupSchedule(tuple(segments), venue=venue, meeting_url=group_row.meeting_url)


@feeds.get("/groups/{token}.ics", response_class=Response, responses=_ICS, summary="A group's meetings")
async def group_calendar(token: str, request: Request, service: CalendarServiceDep) -> Response:
    group_id = await _subject(request, GROUP_FEED, token)
    config = service.calendar
    async with service.sessions() as session:
        row = (await session.execute(select(groups).where(groups.c.group_id == group_id))).one_or_none()
        schedule = await _schedule(session, row, config) if row else None
    if schedule is None:
        raise HTTPException(404, "no calendar for this link (it may have expired)")
    body = group_feed(schedule.series, venue=schedule.venue, url=schedule.meeting_url, rules=config.rules)
    return _calendar(body)


@feeds.get(
    "/participants/{token}.ics",
    response_class=Response,
    responses=_ICS,
    summary="The meetings of all my groups",
)
async def participant_calendar(token: str, request: Request, service: CalendarServiceDep) -> Response:
    participant_id = await _subject(request, PARTICIPANT_FEED, token)
    config = service.calendar
    async with service.sessions() as session:
        rows = await queries.participant_groups(session, participant_id)
        schedules = [
            # A newcomer's feed starts at the group's next meeting after they joined.
            replace(schedule, series=from_joining(schedule.series, row.joined_on))
            for row in rows
            if (schedule := await _schedule(session, row, config))
        ]
    # Someone who has left every group keeps a valid, empty calendar rather than a broken subscription.
    return _calendar(participant_feed(schedules, rules=config.rules))
