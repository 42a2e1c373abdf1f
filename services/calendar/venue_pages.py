"""Calendar's staff pages of venues and starters: register, edit, import venues from CSV, see bookings.

The district check, the registry's changes (registry_changes.py) and the CSV upsert are the same as the
JSON staff API's (registry_api.py).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import func, select

from shared.reference import all_municipalities
from shared.vocabulary import LANGUAGES
from shared.web import choose_language, redirect
from shared.web.staff import staff_page
from shared.web_auth import StaffPageUser

from . import queries, registry_changes
from .app import CalendarServiceDep
from .models import venue_bookings, venues
from .pages_common import environment, flash_messages, hours_text, staff_globals, staff_texts
from .queries import district_of
from .registry import VENUE_KINDS, hours_to_json, parse_hours_text, parse_venue_csv
from .store import upsert_venue
from .unblocking import requeue_failed
from .venue_forms import StarterForm, VenueForm

venue_pages = APIRouter(include_in_schema=False)


@venue_pages.get("/staff/venues")
async def venues_page(request: Request, service: CalendarServiceDep, user: StaffPageUser) -> Response:
    now = datetime.now(UTC)
    async with service.sessions() as session:
        venue_rows = await queries.district_venues(session, user.district)
        starter_rows = await queries.district_starters(session, user.district)
        bookings = (
            await session.execute(
                select(
                    venue_bookings.c.venue_id,
                    func.count().label("upcoming"),
                    func.min(func.lower(venue_bookings.c.during)).label("next"),
                    func.count(func.distinct(venue_bookings.c.group_id)).label("groups"),
                )
                .join(venues, venues.c.id == venue_bookings.c.venue_id)
                .where(venues.c.district == user.district, func.lower(venue_bookings.c.during) >= now)
                .group_by(venue_bookings.c.venue_id)
            )
        ).all()
    mine = sorted((m for m in all_municipalities() if m.district == user.district), key=lambda m: m.name)
    language, t = staff_texts(request)
    return staff_page(
        environment,
        "staff/venues.html",
        request,
        user,
        "venues",
        language=language,
        page_title=t["venues_title"],
        venues=venue_rows,
        starters=starter_rows,
        bookings={b.venue_id: b for b in bookings},
        hours_text=hours_text,
        municipalities=mine,
        kinds=VENUE_KINDS,
        **flash_messages(request),
        **staff_globals(language),
    )


@venue_pages.post("/staff/venues")
async def register_venue(
    request: Request,
    service: CalendarServiceDep,
    user: StaffPageUser,
    form: Annotated[VenueForm, Form()],
    municipality: Annotated[str, Form()] = "",
) -> Response:
    language, t = staff_texts(request)
    values, errors = form.values(t)
    if district_of(municipality) != user.district:
        errors.insert(0, t["error_municipality"])
    if errors:
        return redirect(request, "/staff/venues?" + urlencode({"error": " ".join(errors)}), language)
    async with service.transaction() as uow:
        created = await registry_changes.register_venue(
            uow.session, user.district, {"municipality": municipality, **values}
        )
        await requeue_failed(uow.session, user.district)  # a new venue may unblock a group
    service.jobs.wake()
    if created is None:
        return redirect(
            request,
            "/staff/venues?" + urlencode({"error": t["error_venue_exists"]}),
            language,
        )
    done = t["done_registered"].format(name=values["name"])
    return redirect(request, "/staff/venues?" + urlencode({"done": done}), language)


@venue_pages.get("/staff/venues/{venue_id}")
async def venue_page(
    venue_id: uuid.UUID, request: Request, service: CalendarServiceDep, user: StaffPageUser
) -> Response:
    async with service.sessions() as session:
        venue = (
            await session.execute(
                select(venues).where(venues.c.id == venue_id, venues.c.district == user.district)
            )
        ).one_or_none()
        if venue is None:
            raise HTTPException(404, "no such venue in your district")
        bookings = (
            await session.execute(
                select(venue_bookings.c.group_id, func.lower(venue_bookings.c.during).label("start"))
                .where(
                    venue_bookings.c.venue_id == venue_id,
                    func.lower(venue_bookings.c.during) >= datetime.now(UTC),
                )
                .order_by("start")
                .limit(30)
            )
        ).all()
    language = choose_language(request)
    return staff_page(
        environment,
        "staff/venue.html",
        request,
        user,
        "venues",
        language=language,
        page_title=venue.name,
        v=venue,
        bookings=bookings,
        hours_text=hours_text,
        kinds=VENUE_KINDS,
        grouping_url=service.settings.grouping_url,
        **flash_messages(request),
        **staff_globals(language),
    )


@venue_pages.post("/staff/venues/{venue_id}")
async def edit_venue(
    venue_id: uuid.UUID,
    request: Request,
    service: CalendarServiceDep,
    user: StaffPageUser,
    form: Annotated[VenueForm, Form()],
    active: Annotated[str | None, Form()] = None,
) -> Response:
    language, t = staff_texts(request)
    values, errors = form.values(t)
    if errors:
        return redirect(
            request, f"/staff/venues/{venue_id}?" + urlencode({"error": " ".join(errors)}), language
        )
    async with service.transaction() as uow:
        changed = await registry_changes.change_venue(
            uow.session, venue_id, user.district, {**values, "active": active == "yes"}
        )
        await requeue_failed(uow.session, user.district)  # new hours may unblock a group
    service.jobs.wake()
    if changed is None:
        raise HTTPException(404, "no such venue in your district")
    return redirect(request, f"/staff/venues/{venue_id}?" + urlencode({"done": t["done_saved"]}), language)


@venue_pages.post("/staff/venues-import")
async def import_venues_csv(
    request: Request, service: CalendarServiceDep, user: StaffPageUser, file: Annotated[UploadFile, File()]
) -> Response:
    language, t = staff_texts(request)
    try:
        text = (await file.read(2_000_000)).decode("utf-8-sig")
    except UnicodeDecodeError:
        return redirect(request, "/staff/venues?" + urlencode({"error": t["error_csv"]}), language)
    rows, problems = parse_venue_csv(text)
    messages = [t["error_line"].format(line=p.line, message=p.message) for p in problems]
    created = updated = 0
    async with service.transaction() as uow:
        for line, row in rows:
            if district_of(row.municipality) != user.district:
                messages.append(t["error_line_district"].format(line=line, municipality=row.municipality))
                continue
            if await upsert_venue(uow.session, user.district, row):
                created += 1
            else:
                updated += 1
        await requeue_failed(uow.session, user.district)
    service.jobs.wake()
    query = {"done": t["done_import"].format(created=created, updated=updated)}
    if messages:
        query["error"] = t["error_skipped"].format(lines="; ".join(messages[:20]))
    return redirect(request, "/staff/venues?" + urlencode(query), language)


@venue_pages.post("/staff/starters")
async def register_starter(
    request: Request,
    service: CalendarServiceDep,
    user: StaffPageUser,
    form: Annotated[StarterForm, Form()],
) -> Response:
    language, t = staff_texts(request)
    first_name, email, availability = form.first_name, form.email, form.availability
    errors = []
    if not first_name.strip():
        errors.append(t["error_first_name"])
    if "@" not in email or "." not in email.split("@")[-1]:
        errors.append(t["error_email"])
    try:
        hours = hours_to_json(parse_hours_text(availability))
    except ValueError as error:
        hours = {}
        errors.append(t["error_availability"].format(error=error))
    if errors:
        return redirect(request, "/staff/venues?" + urlencode({"error": " ".join(errors)}), language)
    async with service.transaction() as uow:
        created = await registry_changes.register_starter(
            uow.session,
            user.district,
            first_name.strip(),
            email.strip(),
            hours,
            language=form.language if form.language in LANGUAGES else "nb",
        )
        await requeue_failed(uow.session, user.district)  # a new starter may unblock a group
    service.jobs.wake()
    if created is None:
        return redirect(
            request,
            "/staff/venues?" + urlencode({"error": t["error_starter_exists"]}),
            language,
        )
    done = t["done_registered"].format(name=first_name.strip())
    return redirect(request, "/staff/venues?" + urlencode({"done": done}), language)
