"""Registration's staff pages: one person's registration (name, contact, topic: shown only after the
staff member gives a reason, and every such read is audited) and registration's audit log with CSV."""

from __future__ import annotations

import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from shared.audit.pages import audit_pages
from shared.reference import get_municipality
from shared.texts import texts_for
from shared.web import choose_language, create_environment
from shared.web.staff import staff_page
from shared.web_auth import StaffPageUser

from . import history, queries
from .app import RegistrationServiceDep
from .models import audit_log
from .people_texts import PEOPLE_TEXTS
from .staff_texts import STAFF_TEXTS
from .texts import TEXTS

OSLO = ZoneInfo("Europe/Oslo")  # the timeline in the office's wall-clock time

environment = create_environment(Path(__file__).parent / "templates")
registration_staff_pages = APIRouter(include_in_schema=False)


@registration_staff_pages.get("/staff/people/{participant_id}")
async def person_page(
    participant_id: uuid.UUID, request: Request, service: RegistrationServiceDep, user: StaffPageUser
) -> Response:
    reason = (request.query_params.get("reason") or "").strip()[:500]
    async with service.transaction() as uow:
        session = uow.session
        row = await queries.registration_in_district(session, participant_id, user.district)
        if row is None:
            raise HTTPException(404, "no such registration in your district")
        shown = len(reason) >= 3
        timeline = []
        if shown:
            await queries.record_contact_read(session, participant_id, user, reason)
            timeline = await history.timeline(session, participant_id)
    place = get_municipality(row.municipality)
    language = choose_language(request)
    t = texts_for(STAFF_TEXTS, language)
    return staff_page(
        environment,
        "staff/person.html",
        request,
        user,
        "people",
        language=language,
        page_title=t["person_title"],
        t=t,
        person=row if shown else None,
        participant_id=participant_id,
        status=row.status,
        municipality=place.name if place else row.municipality,
        errors=[t["reason_needed"]] if reason and not shown else [],
        s=texts_for(PEOPLE_TEXTS, language),
        timeline=timeline,
        reason=reason if shown else "",
        oslo=OSLO,
        topics=texts_for(TEXTS, language)["topics"],
        flash=_flash(request, texts_for(PEOPLE_TEXTS, language)),
    )


def _flash(request: Request, s: dict) -> str | None:
    """What the page before did (a correction, a registration on the person's behalf)."""
    done = request.query_params.get("done")
    if done == "registered":
        return s["done_registered"]
    if done == "unchanged":
        return s["unchanged"]
    if done == "corrected":
        fields = [f for f in (request.query_params.get("fields") or "").split(",") if f in s["fields"]]
        return s["corrected"].format(fields=", ".join(s["fields"][f] for f in fields))
    return None


# Registration's audit log (who read whose contact and topic, and why) with its CSV.
registration_staff_pages.include_router(audit_pages("registration", audit_log, environment, STAFF_TEXTS))
