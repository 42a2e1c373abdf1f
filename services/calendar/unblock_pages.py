"""The console's page for a group the scheduler could not place (linked from grouping's overview, "needs
follow-up"): why, in the reader's language, what would unblock it, and the fixes right there: register a
venue or a starter, change a starter's free times, choose another slot all members share, schedule
without a starter where the district allows it (and that setting). The use cases are in unblocking.py;
each fix tries the district's failed groups again and wakes the scheduler after the commit."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from shared.audit.pages import audit_pages
from shared.reference import all_municipalities
from shared.vocabulary import slot_name
from shared.web import redirect
from shared.web.staff import staff_page
from shared.web_auth import StaffPageUser

from . import queries
from .app import CalendarServiceDep
from .models import audit_log, groups, memberships
from .pages_common import environment, flash_messages, hours_text, staff_globals, staff_texts
from .queries import district_of
from .registry import VENUE_KINDS, hours_to_json, parse_hours_text
from .rules import slot_times
from .scheduling import is_near, municipality_name
from .staff_texts import STAFF_TEXTS
from .unblock_texts import unblock_texts, what_helps, why
from .unblocking import (
    UnblockRefused,
    add_starter,
    add_venue,
    allow_without_starter,
    blocked_group,
    change_starter_availability,
    choose_slot,
    schedule_without_starter,
    without_starter_allowed,
)
from .venue_pages import venue_form_values

unblock_pages = APIRouter(include_in_schema=False)
# Calendar's audit trail (what staff changed to unblock groups, and why) on the console's shared audit page.
AUDIT_TEXTS = {
    language: {
        **words,
        "audit_title": unblock_texts(language)["audit_title"],
        "audit_subject": unblock_texts(language)["audit_subject"],
    }
    for language, words in STAFF_TEXTS.items()
}
unblock_pages.include_router(audit_pages("calendar", audit_log, environment, AUDIT_TEXTS))


def _page(group_id: uuid.UUID) -> str:
    return f"/staff/unblock/{group_id}"


@unblock_pages.get("/staff/unblock/{group_id}")
async def unblock_page(
    group_id: uuid.UUID, request: Request, service: CalendarServiceDep, user: StaffPageUser
) -> Response:
    rules = service.calendar.rules
    async with service.sessions() as session:
        try:
            group = await blocked_group(session, group_id, user.district)
        except UnblockRefused:
            raise HTTPException(404, "no such group in your district") from None
        size = await session.scalar(
            select(func.count()).select_from(memberships).where(memberships.c.group_id == group_id)
        )
        starters = await queries.district_starters(session, user.district)
        venues = [
            v
            for v in await queries.district_venues(session, user.district)
            if any(v.municipality == m or is_near(m, v.municipality) for m in group.municipalities)
        ]
        allowed = await without_starter_allowed(session, user.district)
    language, t = staff_texts(request)
    u = unblock_texts(language)
    times = slot_times(group.slot, rules)
    known = {
        "slot": group.slot,
        "earliest": f"{times.window.earliest_start:%H:%M}",
        "latest": f"{times.window.latest_start:%H:%M}",
        "size": size,
        "places": ", ".join(municipality_name(m) for m in group.municipalities),
        "meetings": rules.starter_meetings,
        "first_date": "",
    }
    failed = group.status == "failed"
    return staff_page(
        environment,
        "staff/unblock.html",
        request,
        user,
        "groups",
        language=language,
        page_title=u["title"],
        u=u,
        g=group,
        failed=failed,
        why=why(group.failure_code, group.failure_reason, language) if failed else "",
        helps=what_helps(group.failure_code, language, known) if failed else [],
        code=(group.failure_code or {}).get("code", ""),
        other_slots=[s for s in group.shared_slots or [] if s != group.slot],
        starters=starters,
        venues=venues,
        allowed=allowed,
        hours_text=hours_text,
        kinds=VENUE_KINDS,
        municipalities=sorted(
            (m for m in all_municipalities() if m.district == user.district), key=lambda m: m.name
        ),
        group_places=set(group.municipalities),
        slot_words=lambda slot: slot_name(slot, language),
        **flash_messages(request),
        **staff_globals(language),
    )


async def _fix(
    request: Request,
    service: Any,
    group_id: uuid.UUID,
    reason: str,
    fix: Callable[[Any], Awaitable[str]],
) -> Response:
    """Run one fix in a transaction, wake the scheduler, and go back to the page with its outcome."""
    language, _ = staff_texts(request)
    u = unblock_texts(language)
    if not reason.strip():
        return redirect(request, _page(group_id) + "?" + urlencode({"error": u["reason_missing"]}), language)
    try:
        async with service.transaction() as uow:
            done = await fix(uow)
    except UnblockRefused as refused:
        return redirect(request, _page(group_id) + "?" + urlencode({"error": u[refused.code]}), language)
    except ValueError as error:
        return redirect(
            request, _page(group_id) + "?" + urlencode({"error": u["invalid"].format(error=error)}), language
        )
    service.jobs.wake()
    return redirect(request, _page(group_id) + "?" + urlencode({"done": done}), language)


@unblock_pages.post("/staff/unblock/{group_id}/starter")
async def add_starter_here(
    group_id: uuid.UUID,
    request: Request,
    service: CalendarServiceDep,
    user: StaffPageUser,
    first_name: Annotated[str, Form(max_length=100)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    availability: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    u = unblock_texts(staff_texts(request)[0])

    async def fix(uow) -> str:
        await blocked_group(uow.session, group_id, user.district)
        if not first_name.strip() or "@" not in email:
            raise ValueError(f"{u['first_name']}, {u['email']}")
        hours = hours_to_json(parse_hours_text(availability))
        await add_starter(
            uow.session,
            user.district,
            first_name.strip(),
            email.strip(),
            hours,
            actor=user.subject,
            reason=reason.strip(),
        )
        return u["done_starter"].format(count=await _waiting(uow.session, user.district))

    return await _fix(request, service, group_id, reason, fix)


@unblock_pages.post("/staff/unblock/{group_id}/starters/{starter_id}")
async def change_starter_here(
    group_id: uuid.UUID,
    starter_id: uuid.UUID,
    request: Request,
    service: CalendarServiceDep,
    user: StaffPageUser,
    availability: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    u = unblock_texts(staff_texts(request)[0])

    async def fix(uow) -> str:
        await blocked_group(uow.session, group_id, user.district)
        hours = hours_to_json(parse_hours_text(availability))
        await change_starter_availability(
            uow.session, starter_id, user.district, hours, actor=user.subject, reason=reason.strip()
        )
        return u["done_availability"].format(count=await _waiting(uow.session, user.district))

    return await _fix(request, service, group_id, reason, fix)


@unblock_pages.post("/staff/unblock/{group_id}/venue")
async def add_venue_here(
    group_id: uuid.UUID,
    request: Request,
    service: CalendarServiceDep,
    user: StaffPageUser,
    municipality: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    address: Annotated[str, Form(max_length=300)] = "",
    kind: Annotated[str, Form()] = "",
    capacity: Annotated[str, Form()] = "",
    accessible: Annotated[str | None, Form()] = None,
    opening_hours: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    language, t = staff_texts(request)
    u = unblock_texts(language)

    async def fix(uow) -> str:
        await blocked_group(uow.session, group_id, user.district)
        values, errors = venue_form_values(t, name, address, kind, capacity, accessible, opening_hours, "")
        if district_of(municipality) != user.district:
            errors.insert(0, t["error_municipality"])
        if errors:
            raise ValueError(" ".join(errors))
        await add_venue(
            uow.session,
            user.district,
            {"municipality": municipality, **values},
            actor=user.subject,
            reason=reason.strip(),
        )
        return u["done_venue"].format(count=await _waiting(uow.session, user.district))

    return await _fix(request, service, group_id, reason, fix)


@unblock_pages.post("/staff/unblock/{group_id}/slot")
async def choose_slot_here(
    group_id: uuid.UUID,
    request: Request,
    service: CalendarServiceDep,
    user: StaffPageUser,
    slot: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    u = unblock_texts(staff_texts(request)[0])

    async def fix(uow) -> str:
        await choose_slot(
            uow.session, group_id, user.district, slot, actor=user.subject, reason=reason.strip()
        )
        return u["done_slot"]

    return await _fix(request, service, group_id, reason, fix)


@unblock_pages.post("/staff/unblock/{group_id}/without-starter")
async def without_starter_here(
    group_id: uuid.UUID,
    request: Request,
    service: CalendarServiceDep,
    user: StaffPageUser,
    reason: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    u = unblock_texts(staff_texts(request)[0])

    async def fix(uow) -> str:
        outcome = await schedule_without_starter(
            uow.session,
            uow.outbox,
            service.calendar,
            group_id,
            user.district,
            datetime.now(UTC),
            actor=user.subject,
            reason=reason.strip(),
        )
        return u["done_without_starter"] if outcome.scheduled else u["still_blocked"]

    return await _fix(request, service, group_id, reason, fix)


@unblock_pages.post("/staff/unblock/{group_id}/district-setting")
async def district_setting_here(
    group_id: uuid.UUID,
    request: Request,
    service: CalendarServiceDep,
    user: StaffPageUser,
    allowed: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    u = unblock_texts(staff_texts(request)[0])

    async def fix(uow) -> str:
        await blocked_group(uow.session, group_id, user.district)
        await allow_without_starter(
            uow.session, user.district, allowed == "yes", actor=user.subject, reason=reason.strip()
        )
        return u["done_setting"]

    return await _fix(request, service, group_id, reason, fix)


async def _waiting(session, district: str) -> int:
    """How many of the district's groups wait for the scheduler now (the ones the fix sent back among them)."""
    return int(
        await session.scalar(
            select(func.count())
            .select_from(groups)
            .where(groups.c.district == district, groups.c.status == "to_schedule")
        )
        or 0
    )
