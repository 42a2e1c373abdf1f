"""The district office corrects a waiting registration (municipality, topic, group wishes, times, language,
name and contact details), with a reason that is audited. The form shows the person's current details, so
opening it is a read with that reason too. The rules and messages are the sign-up form's; the change
itself is corrections.correct."""

from __future__ import annotations

import uuid
from urllib.parse import quote

from fastapi import HTTPException, Request
from fastapi.responses import Response
from pydantic import ValidationError

from shared.texts import texts_for
from shared.web import choose_language, redirect
from shared.web_auth import StaffPageUser

from . import corrections, domain, queries
from .app import RegistrationServiceDep
from .people_texts import PEOPLE_TEXTS
from .sign_up_form import invalid_errors, refused_errors, values_from
from .staff_register import staff_form_page
from .staff_search import people_staff_pages
from .texts import TEXTS


def _reason(value: object) -> str:
    return value.strip()[:500] if isinstance(value, str) else ""


def _person_url(participant_id: uuid.UUID, reason: str) -> str:
    return f"/staff/people/{participant_id}?reason={quote(reason)}"


@people_staff_pages.get("/staff/people/{participant_id}/correct")
async def correction_form(
    participant_id: uuid.UUID, request: Request, service: RegistrationServiceDep, user: StaffPageUser
) -> Response:
    language = choose_language(request)
    reason = _reason(request.query_params.get("reason"))
    async with service.transaction() as uow:
        row = await queries.registration_in_district(uow.session, participant_id, user.district)
        if row is None:
            raise HTTPException(404, "no such registration in your district")
        if len(reason) < 3:  # the form shows contact and topic: it asks why first, like the person page
            return _page(request, user, language, participant_id, row.status, None, {}, reason)
        await queries.record_contact_read(uow.session, participant_id, user, reason)
    return _page(request, user, language, participant_id, row.status, corrections.values_of(row), {}, reason)


def _page(
    request: Request,
    user: object,
    language: str,
    participant_id: uuid.UUID,
    status: str,
    values: dict | None,
    errors: dict[str, str],
    reason: str,
    status_code: int = 200,
) -> Response:
    s = texts_for(PEOPLE_TEXTS, language)
    return staff_form_page(
        request,
        user,
        "staff/people_correct.html",
        language,
        values,
        errors,
        status_code,
        page_title=s["correct_title"],
        participant_id=participant_id,
        status=status,
        reason=reason,
        back=_person_url(participant_id, reason),
    )


@people_staff_pages.post("/staff/people/{participant_id}/correct")
async def correct_registration(
    participant_id: uuid.UUID, request: Request, service: RegistrationServiceDep, user: StaffPageUser
) -> Response:
    language = choose_language(request)
    s = texts_for(PEOPLE_TEXTS, language)
    form = await request.form()
    values = values_from(form, language)
    reason = _reason(form.get("reason"))
    if len(reason) < 3:
        return _page(
            request, user, language, participant_id, "waiting", values, {"reason": s["reason_needed"]},
            reason, 422,
        )  # fmt: skip
    try:
        async with service.transaction() as uow:
            corrected = await corrections.correct(
                uow.session,
                uow.outbox,
                participant_id,
                values,
                actor=user.subject,
                now=uow.now(),
                district=user.district,
                reason=reason,
            )
    except corrections.NotWaiting as settled:
        return _page(request, user, language, participant_id, settled.status, values, {}, reason, 409)
    except ValidationError as invalid:
        errors = invalid_errors(invalid, texts_for(TEXTS, language))
        return _page(request, user, language, participant_id, "waiting", values, errors, reason, 422)
    except domain.RegistrationRefused as refused:
        errors = refused_errors(refused, texts_for(TEXTS, language))
        return _page(request, user, language, participant_id, "waiting", values, errors, reason, 422)
    if corrected is None:
        raise HTTPException(404, "no such registration in your district")
    if not corrected.changed:
        return redirect(request, _person_url(participant_id, reason) + "&done=unchanged", language)
    # Moved to another district: this office no longer sees the person (their page would be a 404).
    if corrected.district != user.district:
        return redirect(request, "/staff/people?done=moved", language)
    done = f"&done=corrected&fields={','.join(corrected.changed)}"
    return redirect(request, _person_url(participant_id, reason) + done, language)
