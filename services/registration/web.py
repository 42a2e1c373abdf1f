"""The public pages: the sign-up form and the person's private status page.

Plain HTML forms that work without JavaScript. The form goes through the same validation and commands as
the API (`RegistrationDetails`, `commands.submit_registration`); problems come back next to their fields and
in an error summary, with what the person typed kept. Every POST answers with a 303 redirect so a reload
never submits twice.
"""

from __future__ import annotations

import uuid
from itertools import groupby
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from shared.auth import InvalidLink, sign_link
from shared.contracts import SLOTS, Composition, Gender, Language, MeetingFormat, Topic
from shared.reference import all_municipalities, get_municipality
from shared.texts import texts_for
from shared.web import choose_language, create_environment, page, redirect
from shared.web.dependencies import current_service

from . import commands, corrections, domain, waiting_options
from .api import STATUS_LINK
from .app import RegistrationServiceDep
from .models import registrations
from .options_texts import OPTIONS_TEXTS, worded_options
from .registering import register_from_form
from .sign_up_form import blank_values, values_from
from .texts import TEXTS, error_message, long_date

pages = APIRouter(include_in_schema=False)
templates = create_environment(Path(__file__).resolve().parent / "templates")

OSLO = ZoneInfo("Europe/Oslo")
# Where an error summary link lands: the first control of the field's group.
_ANCHORS = {"contact": "field-email", "form": "field-name"}


def municipality_groups(only: frozenset[str] | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The municipalities by county for the form's list (`only` those numbers, when given)."""
    chosen = [m for m in all_municipalities() if only is None or m.number in only]
    ordered = sorted(chosen, key=lambda m: (m.county_name, m.name))
    return [
        (county, [(m.number, m.name) for m in members])
        for county, members in groupby(ordered, key=lambda m: m.county_name)
    ]


def _retention_months(request: Request) -> int:
    return max(1, round(current_service(request).settings.registration_retention_days / 30.4))


def form_options(request: Request) -> dict[str, Any]:
    """What the form's fields (templates/pages/_fields.html) choose from, for every page that shows them."""
    return {
        "municipalities": municipality_groups(),
        "topics": [topic.value for topic in Topic],
        "genders": [gender.value for gender in Gender],
        "compositions": [c.value for c in Composition],
        "formats": [f.value for f in MeetingFormat],
        "message_languages": [lang.value for lang in Language],
        "slots": SLOTS,
        "retention_months": _retention_months(request),
    }


# --- the form --------------------------------------------------------------------------------------
def form_context(
    request: Request, language: str, values: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    """What the form's template needs; a contact point's form (contact_pages.py) renders the same."""
    texts = texts_for(TEXTS, language)
    return {
        "t": texts,
        "site_name": texts["site_name"],
        "page_title": texts["form_title"],
        "values": values,
        "errors": errors,
        "error_list": [(_ANCHORS.get(f, f"field-{f}"), message) for f, message in errors.items()],
        **form_options(request),
    }


def _form_page(
    request: Request, language: str, values: dict[str, Any], errors: dict[str, str], status_code: int = 200
) -> Response:
    return page(
        templates,
        "pages/form.html",
        request,
        language,
        status_code=status_code,
        **form_context(request, language, values, errors),
    )


@pages.get("/")
async def sign_up_form(request: Request) -> Response:
    language = choose_language(request)
    return _form_page(request, language, blank_values(language), {})


@pages.post("/register")
async def sign_up(request: Request, service: RegistrationServiceDep) -> Response:
    language = choose_language(request)
    values = values_from(await request.form(), language)
    outcome = await register_from_form(
        service, values, language, client_host=request.client and request.client.host
    )
    if outcome.participant_id is None:
        response = _form_page(request, language, values, outcome.errors, outcome.status_code)
        if outcome.retry_after is not None:
            response.headers["Retry-After"] = str(outcome.retry_after)
        return response
    token = sign_link(service.keyring, STATUS_LINK, outcome.participant_id)
    return redirect(request, f"/status/{token}?done=registered", language)


# --- the private status page -----------------------------------------------------------------------
async def _participant(request: Request, token: str) -> uuid.UUID | None:
    try:
        return await current_service(request).person_from_link(STATUS_LINK, token)
    except InvalidLink:
        return None


async def _registration(request: Request, participant_id: uuid.UUID):
    async with current_service(request).sessions() as session:
        return (
            await session.execute(
                select(
                    registrations.c.status,
                    registrations.c.registered_at,
                    registrations.c.municipality,
                    registrations.c.availability,
                    registrations.c.waiting_options,
                ).where(registrations.c.participant_id == participant_id)
            )
        ).one_or_none()


def _message_page(
    request: Request, language: str, title_key: str, text_key: str, status_code: int
) -> Response:
    texts = texts_for(TEXTS, language)
    return page(
        templates,
        "pages/message.html",
        request,
        language,
        status_code=status_code,
        t=texts,
        site_name=texts["site_name"],
        page_title=texts[title_key],
        text=texts[text_key],
    )


def _not_found(request: Request, language: str) -> Response:
    return _message_page(request, language, "not_found_title", "not_found_text", 404)


async def _status_page(
    request: Request,
    language: str,
    token: str,
    row: Any,
    *,
    errors: dict[str, str] | None = None,
    selected: list[str] | None = None,
    status_code: int = 200,
) -> Response:
    texts = texts_for(TEXTS, language)
    municipality = get_municipality(row.municipality)
    done = request.query_params.get("done")
    return page(
        templates,
        "pages/status.html",
        request,
        language,
        status_code=status_code,
        t=texts,
        site_name=texts["site_name"],
        page_title=texts["status_title"],
        token=token,
        status=row.status,
        registered_on=long_date(texts, row.registered_at.astimezone(OSLO).date()),
        municipality=municipality.name if municipality else row.municipality,
        availability=row.availability,
        selected=selected if selected is not None else row.availability,
        done=texts["done"].get(done) if done else None,
        errors=errors or {},
        error_list=[(f"field-{f}", message) for f, message in (errors or {}).items()],
        slots=SLOTS,
        options=worded_options(row.waiting_options, language) if row.status == "waiting" else [],
        o=texts_for(OPTIONS_TEXTS, language),
        option_notice=texts_for(OPTIONS_TEXTS, language).get(request.query_params.get("option", "")),
    )


@pages.get("/status/{token}")
async def status_page(token: str, request: Request) -> Response:
    language = choose_language(request)
    participant_id = await _participant(request, token)
    row = participant_id and await _registration(request, participant_id)
    if not row:
        return _not_found(request, language)
    return await _status_page(request, language, token, row)


@pages.post("/status/{token}/availability")
async def change_availability(token: str, request: Request, service: RegistrationServiceDep) -> Response:
    language = choose_language(request)
    participant_id = await _participant(request, token)
    if participant_id is None:
        return _not_found(request, language)
    slots = [v for v in (await request.form()).getlist("availability") if isinstance(v, str)]
    try:
        async with service.transaction() as uow:
            changed = await corrections.change_availability(uow.session, uow.outbox, participant_id, slots)
    except domain.RegistrationRefused:
        row = await _registration(request, participant_id)
        if row is None:
            return _not_found(request, language)
        errors = {"availability": error_message(texts_for(TEXTS, language), "availability")}
        return await _status_page(
            request, language, token, row, errors=errors, selected=slots, status_code=422
        )
    if changed:
        return redirect(request, f"/status/{token}?done=availability", language)
    # No longer waiting (or erased): the page says why the times cannot change.
    return redirect(request, f"/status/{token}", language)


@pages.post("/status/{token}/options/{code}")
async def take_option(token: str, code: str, request: Request, service: RegistrationServiceDep) -> Response:
    """One click on "what would get you a group sooner": the option is applied as the person's correction."""
    language = choose_language(request)
    participant_id = await _participant(request, token)
    if participant_id is None:
        return _not_found(request, language)
    try:
        async with service.transaction() as uow:
            taken = await waiting_options.take_option(
                uow.session, uow.outbox, participant_id, code, now=uow.now()
            )
    except waiting_options.NotOffered:
        return redirect(request, f"/status/{token}?option=not_offered", language)
    except corrections.InvitedToGroup:
        return redirect(request, f"/status/{token}?option=invited", language)
    except (corrections.NotWaiting, domain.RegistrationRefused):
        return redirect(request, f"/status/{token}", language)
    if taken is None:
        return _not_found(request, language)
    return redirect(request, f"/status/{token}?option=taken", language)


@pages.get("/status/{token}/{action}")
async def confirm(token: str, action: str, request: Request) -> Response:
    language = choose_language(request)
    participant_id = await _participant(request, token)
    row = participant_id and await _registration(request, participant_id)
    if action not in ("withdraw", "erase") or not row:
        return _not_found(request, language)
    texts = texts_for(TEXTS, language)
    return page(
        templates,
        "pages/confirm.html",
        request,
        language,
        t=texts,
        site_name=texts["site_name"],
        page_title=texts[f"{action}_confirm_title"],
        action=action,
        token=token,
    )


@pages.post("/status/{token}/withdraw")
async def withdraw(token: str, request: Request, service: RegistrationServiceDep) -> Response:
    language = choose_language(request)
    participant_id = await _participant(request, token)
    if participant_id is None:
        return _not_found(request, language)
    async with service.transaction() as uow:
        await commands.withdraw(uow.session, uow.outbox, participant_id, actor="participant")
    return redirect(request, f"/status/{token}?done=withdrawn", language)


@pages.post("/status/{token}/erase")
async def erase(token: str, request: Request, service: RegistrationServiceDep) -> Response:
    language = choose_language(request)
    participant_id = await _participant(request, token)
    if participant_id is None:
        return _not_found(request, language)
    # A second press (or a reload) after the erasure finds nothing and tells every service nothing again.
    if await _registration(request, participant_id) is not None:
        async with service.transaction() as uow:
            await commands.erase(uow.session, uow.outbox, participant_id, actor="participant")
    return redirect(request, "/erased", language)


@pages.get("/erased")
async def erased(request: Request) -> Response:
    return _message_page(request, choose_language(request), "erased_title", "erased_text", 200)
