"""A contact point's venue pages: the venues of its municipalities, register one, edit one.

The same form rules (venue_pages) and registry changes (registry_changes) as the district office's pages,
scoped by the contact point's municipalities instead of a district: a venue elsewhere answers 404.
"""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from shared.reference import get_municipality
from shared.texts import texts_for
from shared.web import redirect
from shared.web.contact import contact_page
from shared.web_auth import ContactPointPageUser

from . import queries, registry_changes
from .app import CalendarServiceDep
from .pages_common import environment, flash_messages, hours_text, staff_globals, staff_texts
from .queries import district_of
from .registry import VENUE_KINDS
from .staff_texts import CONTACT_TEXTS
from .venue_pages import venue_form_values

contact_pages = APIRouter(include_in_schema=False)


@contact_pages.get("/contact/venues")
async def venues_page(request: Request, service: CalendarServiceDep, user: ContactPointPageUser) -> Response:
    async with service.sessions() as session:
        venue_rows = await queries.municipal_venues(session, user.municipalities)
    mine = sorted(
        (m for m in map(get_municipality, user.municipalities) if m is not None), key=lambda m: m.name
    )
    language, _ = staff_texts(request)
    ct = texts_for(CONTACT_TEXTS, language)
    return contact_page(
        environment,
        "staff/contact_venues.html",
        request,
        user,
        "venues",
        language=language,
        page_title=ct["venues_title"],
        ct=ct,
        venues=venue_rows,
        hours_text=hours_text,
        municipalities=mine,
        kinds=VENUE_KINDS,
        **flash_messages(request),
        **staff_globals(language),
    )


@contact_pages.post("/contact/venues")
async def register_venue(
    request: Request,
    service: CalendarServiceDep,
    user: ContactPointPageUser,
    municipality: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    address: Annotated[str, Form(max_length=300)] = "",
    kind: Annotated[str, Form()] = "",
    capacity: Annotated[str, Form()] = "",
    accessible: Annotated[str | None, Form()] = None,
    opening_hours: Annotated[str, Form()] = "",
    blackout_dates: Annotated[str, Form()] = "",
) -> Response:
    language, t = staff_texts(request)
    values, errors = venue_form_values(
        t, name, address, kind, capacity, accessible, opening_hours, blackout_dates
    )
    district = district_of(municipality)
    if municipality not in user.municipalities or district is None:
        errors.insert(0, texts_for(CONTACT_TEXTS, language)["error_municipality"])
    if errors:
        return redirect(request, "/contact/venues?" + urlencode({"error": " ".join(errors)}), language)
    async with service.transaction() as uow:
        # The venue belongs to the municipality's district, so the district office plans with it too.
        created = await registry_changes.register_venue(
            uow.session, district, {"municipality": municipality, **values}
        )
    if created is None:
        return redirect(request, "/contact/venues?" + urlencode({"error": t["error_venue_exists"]}), language)
    done = t["done_registered"].format(name=values["name"])
    return redirect(request, "/contact/venues?" + urlencode({"done": done}), language)


@contact_pages.get("/contact/venues/{venue_id}")
async def venue_page(
    venue_id: uuid.UUID, request: Request, service: CalendarServiceDep, user: ContactPointPageUser
) -> Response:
    async with service.sessions() as session:
        venue = await queries.municipal_venue(session, venue_id, user.municipalities)
    if venue is None:
        raise HTTPException(404, "no such venue in your municipalities")
    language, _ = staff_texts(request)
    return contact_page(
        environment,
        "staff/contact_venue.html",
        request,
        user,
        "venues",
        language=language,
        page_title=venue.name,
        v=venue,
        hours_text=hours_text,
        kinds=VENUE_KINDS,
        **flash_messages(request),
        **staff_globals(language),
    )


@contact_pages.post("/contact/venues/{venue_id}")
async def edit_venue(
    venue_id: uuid.UUID,
    request: Request,
    service: CalendarServiceDep,
    user: ContactPointPageUser,
    name: Annotated[str, Form(max_length=200)] = "",
    address: Annotated[str, Form(max_length=300)] = "",
    kind: Annotated[str, Form()] = "",
    capacity: Annotated[str, Form()] = "",
    accessible: Annotated[str | None, Form()] = None,
    opening_hours: Annotated[str, Form()] = "",
    blackout_dates: Annotated[str, Form()] = "",
    active: Annotated[str | None, Form()] = None,
) -> Response:
    language, t = staff_texts(request)
    values, errors = venue_form_values(
        t, name, address, kind, capacity, accessible, opening_hours, blackout_dates
    )
    async with service.transaction() as uow:
        # Checked before the form's errors are shown, so another municipality's venue is a 404 either way.
        if await queries.municipal_venue(uow.session, venue_id, user.municipalities) is None:
            raise HTTPException(404, "no such venue in your municipalities")
        if not errors:
            await registry_changes.change_municipal_venue(
                uow.session, venue_id, user.municipalities, {**values, "active": active == "yes"}
            )
    page_url = f"/contact/venues/{venue_id}?"
    if errors:
        return redirect(request, page_url + urlencode({"error": " ".join(errors)}), language)
    return redirect(request, page_url + urlencode({"done": t["done_saved"]}), language)
