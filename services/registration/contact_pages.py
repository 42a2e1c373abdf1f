"""A contact point's pages in registration: register a person on their behalf, and see the status of the
registrations it submitted.

The form is the public sign-up form (web.py's context and template, sign_up_form's fields and rules, the
same consent text and errors), with `source=contact_point`, the municipality limited to the contact
point's own, and the registration recording who submitted it (`submitted_by`). The status list shows
name, status and since when, never the topic or contact, only the contact point's own registrations in
its municipalities, and every read is audited.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError

from shared.contracts import RegistrationDetails, Source
from shared.reference import get_municipality
from shared.texts import texts_for
from shared.web import choose_language, page, redirect
from shared.web.contact import contact_context, contact_page
from shared.web_auth import ContactPointPageUser

from . import commands, domain, queries
from .app import RegistrationServiceDep
from .sign_up_form import FORM_FIELDS, blank_values, details_body, field_errors, form_field, values_from
from .staff_texts import CONTACT_TEXTS
from .texts import TEXTS
from .web import form_context, municipality_groups, templates

contact_pages = APIRouter(include_in_schema=False)

OSLO = ZoneInfo("Europe/Oslo")
_FORM_ID = re.compile(r"^[0-9a-f]{32}$")
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


def _in_form_order(errors: dict[str, str]) -> dict[str, str]:
    order = {name: i for i, name in enumerate((*FORM_FIELDS, "form"))}
    return dict(sorted(errors.items(), key=lambda item: order.get(item[0], len(order))))


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
    texts = texts_for(TEXTS, language)
    values = values_from(await request.form(), language)
    body = {**details_body(values, datetime.now(UTC)), "source": Source.contact_point.value}
    errors: dict[str, str] = {}
    details = None
    try:
        details = RegistrationDetails.model_validate(body)
    except ValidationError as invalid:
        problems = [
            (form_field([str(p) for p in e["loc"]]), "invalid")
            for e in invalid.errors(include_input=False, include_url=False)
        ]
        errors = field_errors(problems, texts)
    # Only the contact point's own municipalities (the list offers no others; a forged post is refused).
    if values["municipality"] and values["municipality"] not in user.municipalities:
        errors["municipality"] = texts_for(CONTACT_TEXTS, language)["error_municipality"]
    if errors or details is None:
        return _register_page(request, user, language, values, _in_form_order(errors), 422)

    # As on the public form: the form's id plus what was sent is the idempotency key (a double click
    # registers once). No rate limit by address: a signed-in contact point registers many from one office.
    request_hash = hashlib.sha256(
        json.dumps(details.model_dump(mode="json", exclude={"consent"}), sort_keys=True).encode()
    ).hexdigest()
    form_id = values["form_id"] if _FORM_ID.match(values["form_id"]) else None
    participant_id = uuid.uuid4()
    try:
        async with service.transaction() as uow:
            earlier = None
            if form_id:
                key = f"contact:{form_id}:{request_hash}"
                earlier = await commands.claim_idempotency_key(uow.session, key, request_hash, participant_id)
            if earlier is None:
                await commands.submit_registration(
                    uow.session,
                    uow.outbox,
                    details,
                    participant_id=participant_id,
                    submitted_by=user.subject,
                )
    except domain.RegistrationRefused as refused:
        problems = [(form_field(p.field.split(".")), p.code) for p in refused.problems]
        return _register_page(request, user, language, values, field_errors(problems, texts), 422)
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
