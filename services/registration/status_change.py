"""The person corrects their own waiting registration on their private status page (behind its signed
link): municipality, topic, group wishes, times, language, name and contact details. The same fields and
messages as the sign-up form; the change itself is corrections.correct (actor "participant", not audited:
it is the person's own data, and their registration's history records it)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlalchemy import select

from shared.texts import texts_for
from shared.web import choose_language, page, redirect

from . import corrections, domain
from .app import RegistrationServiceDep
from .models import registrations
from .sign_up_form import invalid_errors, refused_errors, values_from
from .texts import TEXTS
from .web import _not_found, _participant, form_options, templates

# Before web.py's `/status/{token}/{action}` confirmation pages, which would take `change` for an action.
status_changes = APIRouter(include_in_schema=False)
_ANCHORS = {"contact": "field-email", "form": "field-name"}


async def _row(service: Any, participant_id: uuid.UUID) -> Any:
    async with service.sessions() as session:
        return (
            await session.execute(
                select(registrations).where(registrations.c.participant_id == participant_id)
            )
        ).one_or_none()


def _change_page(
    request: Request,
    language: str,
    token: str,
    status: str,
    values: dict[str, Any],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    texts = texts_for(TEXTS, language)
    return page(
        templates,
        "pages/change.html",
        request,
        language,
        status_code=status_code,
        t=texts,
        site_name=texts["site_name"],
        page_title=texts["correct_title"],
        token=token,
        status=status,
        values=values,
        errors=errors,
        error_list=[(_ANCHORS.get(f, f"field-{f}"), message) for f, message in errors.items()],
        **form_options(request),
    )


@status_changes.get("/status/{token}/change")
async def change_form(token: str, request: Request, service: RegistrationServiceDep) -> Response:
    language = choose_language(request)
    participant_id = await _participant(request, token)
    row = participant_id and await _row(service, participant_id)
    if not row:
        return _not_found(request, language)
    return _change_page(request, language, token, row.status, corrections.values_of(row), {})


@status_changes.post("/status/{token}/change")
async def change(token: str, request: Request, service: RegistrationServiceDep) -> Response:
    language = choose_language(request)
    participant_id = await _participant(request, token)
    if participant_id is None:
        return _not_found(request, language)
    values = values_from(await request.form(), language)
    texts = texts_for(TEXTS, language)
    try:
        async with service.transaction() as uow:
            corrected = await corrections.correct(
                uow.session, uow.outbox, participant_id, values, actor="participant", now=uow.now()
            )
    except corrections.NotWaiting as settled:
        errors = {"form": texts["correct_locked"]}
        return _change_page(request, language, token, settled.status, values, errors, 409)
    except ValidationError as invalid:
        return _change_page(request, language, token, "waiting", values, invalid_errors(invalid, texts), 422)
    except domain.RegistrationRefused as refused:
        return _change_page(request, language, token, "waiting", values, refused_errors(refused, texts), 422)
    if corrected is None:
        return _not_found(request, language)
    return redirect(request, f"/status/{token}?done=corrected", language)
