"""A contact point's pages in registration: register a person on their behalf, and see the status of the
registrations it submitted.

The form is the public sign-up form (web.py's context and template, sign_up_form's fields and rules, the
same consent text and errors), with `source=contact_point`, the municipality limited to the contact
point's own, and the registration recording who submitted it (`submitted_by`). The status list shows
name, status and since when, never the topic or contact, only the contact point's own registrations in
its municipalities, and every read is audited.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shared.contracts import Source
from shared.reference import get_municipality
from shared.texts import texts_for
from shared.web import choose_language, page, redirect
from shared.web.contact import contact_context, contact_page
from shared.web_auth import ContactPointPageUser

from . import queries
from .app import RegistrationServiceDep
from .registering import register_from_form
from .sign_up_form import blank_values, values_from
from .staff_texts import CONTACT_TEXTS
from .texts import TEXTS
from .web import form_context, municipality_groups, templates

contact_pages = APIRouter(include_in_schema=False)

OSLO = ZoneInfo("Europe/Oslo")
_READ_REASON = "the status of the registrations it submitted"
# The public form's template, which the contact point's extends.
SIGN_UP_TEMPLATE = templates.get_template("pages/form.html")


def _register_page(
    request: Request,
    user: Any,
    language: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    context = form_context(request, language, values, errors)
    return page(
        templates,
        "staff/contact_register.html",
        request,
        language,
        status_code=status_code,
        **{
            **context,
            **contact_context(request, user, "register", language),
            "page_title": texts_for(CONTACT_TEXTS, language)["register_title"],
            "ct": texts_for(CONTACT_TEXTS, language),
            "municipalities": municipality_groups(user.municipalities),
            "form_action": "/contact/register",
            "sign_up_form": SIGN_UP_TEMPLATE,
        },
    )


@contact_pages.get("/contact/register")
async def register_form(request: Request, user: ContactPointPageUser) -> Response:
    language = choose_language(request)
    values = blank_values(language)
    if len(user.municipalities) == 1:  # nothing to choose
        values["municipality"] = next(iter(user.municipalities))
    return _register_page(request, user, language, values, {})


@contact_pages.post("/contact/register")
async def register_on_behalf(
    request: Request, service: RegistrationServiceDep, user: ContactPointPageUser
) -> Response:
    language = choose_language(request)
    values = values_from(await request.form(), language)
    # Only the contact point's own municipalities (the list offers no others; a forged post is refused).
    page_errors = {}
    if values["municipality"] and values["municipality"] not in user.municipalities:
        page_errors["municipality"] = texts_for(CONTACT_TEXTS, language)["error_municipality"]
    # The public form's flow (registering.py): its rules, messages and idempotency key (a double click
    # registers once). No rate limit by address: a signed-in contact point registers many from one office.
    outcome = await register_from_form(
        service,
        values,
        language,
        source=Source.contact_point.value,
        rate_limited=False,
        page_errors=page_errors,
        submitted_by=user.subject,
        key_prefix="contact",
        after=queries.record_registered_by_contact_point(user),
    )
    if outcome.participant_id is None:
        return _register_page(request, user, language, values, outcome.errors, outcome.status_code)
    return redirect(request, "/contact/registrations?done=registered", language)


@contact_pages.get("/contact/registrations")
async def submitted_registrations(
    request: Request, service: RegistrationServiceDep, user: ContactPointPageUser
) -> Response:
    async with service.transaction() as uow:
        rows = await queries.registrations_submitted_by(uow.session, user)
        await queries.record_submitted_reads(uow.session, rows, user, _READ_REASON)
    language = choose_language(request)
    ct = texts_for(CONTACT_TEXTS, language)
    done = request.query_params.get("done")
    return contact_page(
        templates,
        "staff/contact_registrations.html",
        request,
        user,
        "registrations",
        language=language,
        page_title=ct["registrations_title"],
        ct=ct,
        rows=rows,
        status_names=texts_for(TEXTS, language)["statuses"],
        municipality=lambda n: get_municipality(n).name if get_municipality(n) else n,
        since=lambda moment: moment.astimezone(OSLO).strftime("%d.%m.%Y"),
        flash=ct["registered"] if done == "registered" else "",
        errors=[],
    )
