"""The calendar console's school breaks page: the district's breaks per county (shipped, or as its staff
edited them), add/change/remove a break, and a group's choice to meet during breaks. Every change takes
a reason and is audited (breaks.py); everything is scoped to the staff member's district.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select

from shared.vocabulary import slot_name
from shared.web import choose_language, redirect
from shared.web.staff import staff_page
from shared.web_auth import StaffPageUser

from . import breaks
from .app import CalendarServiceDep
from .breaks_texts import BREAK_KIND_NAMES, BREAK_TEXTS
from .models import groups
from .pages_common import environment, flash_messages, staff_globals

break_pages = APIRouter(include_in_schema=False)
PAGE = "/staff/breaks"


def parse_day(text: str) -> date:
    """`2027-02-22` (a date field) or `22.02.2027` (typed the Norwegian way)."""
    text = text.strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        return datetime.strptime(text, "%d.%m.%Y").date()


def _back(request: Request, language: str, **message: str) -> Response:
    return redirect(request, f"{PAGE}?" + urlencode({**message, "lang": language}), language)


@break_pages.get(PAGE)
async def breaks_page(request: Request, service: CalendarServiceDep, user: StaffPageUser) -> Response:
    language = choose_language(request)
    async with service.sessions() as session:
        rows = await breaks.district_breaks(session, user.district)
        group_rows = (
            await session.execute(
                select(groups)
                .where(
                    groups.c.district == user.district,
                    groups.c.status.in_(("to_schedule", "scheduled", "failed")),
                )
                .order_by(groups.c.received_at.desc())
                .limit(200)
            )
        ).all()
    counties = breaks.district_counties(user.district)
    return staff_page(
        environment,
        "staff/breaks.html",
        request,
        user,
        "breaks",
        language=language,
        page_title=BREAK_TEXTS[language]["title"],
        b=BREAK_TEXTS[language],
        break_names=BREAK_KIND_NAMES[language],
        rows=rows,
        groups=group_rows,
        counties=[(county, breaks.county_name(county)) for county in counties],
        county_name=breaks.county_name,
        kinds=breaks.KINDS,
        slot_words=lambda slot: slot_name(slot, language),
        **flash_messages(request),
        **staff_globals(language),
    )


async def _apply(request: Request, service, language: str, done: str, change) -> Response:
    b = BREAK_TEXTS[language]
    try:
        async with service.transaction() as uow:
            await change(uow.session)
    except breaks.BreakRefused as refused:
        return _back(request, language, error=b[f"breaks_error_{refused.code}"])
    except LookupError:
        raise HTTPException(404, "no such break or group in your district") from None
    return _back(request, language, done=b[done])


def _dates(first: str, last: str) -> tuple[date, date] | None:
    try:
        return parse_day(first), parse_day(last)
    except ValueError:
        return None


@break_pages.post(PAGE)
async def add_break(
    request: Request,
    service: CalendarServiceDep,
    user: StaffPageUser,
    county: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "",
    first: Annotated[str, Form(max_length=20)] = "",
    last: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    language = choose_language(request)
    b = BREAK_TEXTS[language]
    days = _dates(first, last)
    if days is None:
        return _back(request, language, error=b["breaks_error_dates"])
    if not reason.strip():
        return _back(request, language, error=b["breaks_error_reason"])
    return await _apply(
        request,
        service,
        language,
        "done_added",
        lambda session: breaks.add_break(
            session,
            user.district,
            county=county,
            kind=kind,
            first=days[0],
            last=days[1],
            actor=user.subject,
            reason=reason.strip(),
        ),
    )


@break_pages.post(PAGE + "/{key}/change")
async def change_break(
    key: str,
    request: Request,
    service: CalendarServiceDep,
    user: StaffPageUser,
    first: Annotated[str, Form(max_length=20)] = "",
    last: Annotated[str, Form(max_length=20)] = "",
    reason: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    language = choose_language(request)
    b = BREAK_TEXTS[language]
    days = _dates(first, last)
    if days is None:
        return _back(request, language, error=b["breaks_error_dates"])
    if not reason.strip():
        return _back(request, language, error=b["breaks_error_reason"])
    return await _apply(
        request,
        service,
        language,
        "done_changed",
        lambda session: breaks.change_break(
            session,
            user.district,
            key,
            first=days[0],
            last=days[1],
            actor=user.subject,
            reason=reason.strip(),
        ),
    )


@break_pages.post(PAGE + "/{key}/remove")
async def remove_break(
    key: str,
    request: Request,
    service: CalendarServiceDep,
    user: StaffPageUser,
    reason: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    language = choose_language(request)
    if not reason.strip():
        return _back(request, language, error=BREAK_TEXTS[language]["breaks_error_reason"])
    return await _apply(
        request,
        service,
        language,
        "done_removed",
        lambda session: breaks.remove_break(
            session, user.district, key, actor=user.subject, reason=reason.strip()
        ),
    )


@break_pages.post(PAGE + "/groups/{group_id}")
async def group_choice(
    group_id: uuid.UUID,
    request: Request,
    service: CalendarServiceDep,
    user: StaffPageUser,
    meet: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    language = choose_language(request)
    if not reason.strip():
        return _back(request, language, error=BREAK_TEXTS[language]["breaks_error_reason"])
    return await _apply(
        request,
        service,
        language,
        "done_group",
        lambda session: breaks.set_meet_during_breaks(
            session, user.district, group_id, meet == "yes", actor=user.subject, reason=reason.strip()
        ),
    )
