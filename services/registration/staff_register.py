"""The district office registers a person on their behalf (on the phone, at a course): the public form's
fields, rules, consent text and error messages (templates/_fields.html, registering.py), with
`source=district_office`. The registration is audited with who made it; the person gets the same receipt
with their own status link as if they had registered themselves."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.contracts import Source
from shared.texts import texts_for
from shared.web import choose_language, redirect
from shared.web.staff import staff_page
from shared.web_auth import StaffPageUser

from .app import RegistrationServiceDep
from .models import audit_log
from .people_texts import PEOPLE_TEXTS
from .registering import register_from_form
from .sign_up_form import blank_values, values_from
from .staff_search import environment, people_staff_pages
from .texts import TEXTS
from .web import form_options

_ANCHORS = {"contact": "field-email", "form": "field-name"}


def staff_form_page(
    request: Request,
    user: Any,
    template: str,
    language: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
    **context: Any,
) -> Response:
    """A staff page with the sign-up form's fields (registering or correcting)."""
    s = texts_for(PEOPLE_TEXTS, language)
    return staff_page(
        environment,
        template,
        request,
        user,
        "people",
        language=language,
        status_code=status_code,
        page_title=context.pop("page_title", s["register_title"]),
        t=texts_for(TEXTS, language),
        s=s,
        values=values,
        errors=errors,
        error_list=[(_ANCHORS.get(f, f"field-{f}"), message) for f, message in errors.items()],
        **form_options(request),
        **context,
    )


@people_staff_pages.get("/staff/register")
async def register_form(request: Request, user: StaffPageUser) -> Response:
    language = choose_language(request)
    return staff_form_page(request, user, "staff/people_register.html", language, blank_values(language), {})


@people_staff_pages.post("/staff/register")
async def register_on_behalf(
    request: Request, service: RegistrationServiceDep, user: StaffPageUser
) -> Response:
    language = choose_language(request)
    values = values_from(await request.form(), language)

    async def audited(session: AsyncSession, participant_id: uuid.UUID) -> None:
        await record_audit(
            session,
            audit_log,
            actor=user.subject,
            action="register",
            subject_id=participant_id,
            district=user.district,
            fields="source=district_office",
        )

    outcome = await register_from_form(
        service, values, language, source=Source.district_office.value, rate_limited=False, after=audited
    )
    if outcome.participant_id is None:
        return staff_form_page(
            request, user, "staff/people_register.html", language, values, outcome.errors, outcome.status_code
        )
    return redirect(request, f"/staff/people/{outcome.participant_id}?done=registered", language)
