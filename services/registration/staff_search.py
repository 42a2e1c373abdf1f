"""The district office's "find a person": a search by name, e-mail, mobile or registration id, only with a
reason, in the staff member's district. Each person the search shows is audited with the reason (who saw
whom, and why); a search that finds nobody is audited once without a subject."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shared.audit import record_audit
from shared.reference import get_municipality
from shared.texts import texts_for
from shared.web import choose_language, create_environment
from shared.web.staff import staff_page
from shared.web_auth import StaffPageUser

from . import search
from .app import RegistrationServiceDep
from .models import audit_log
from .people_texts import PEOPLE_TEXTS

# Rooted at templates/: staff pages are staff/..., and staff forms import the sign-up form's fields from
# pages/_fields.html.
environment = create_environment(Path(__file__).parent / "templates")
people_staff_pages = APIRouter(include_in_schema=False)


def municipality_name(number: str) -> str:
    place = get_municipality(number)
    return place.name if place else number


@people_staff_pages.get("/staff/people")
async def find_person(request: Request, service: RegistrationServiceDep, user: StaffPageUser) -> Response:
    language = choose_language(request)
    t = texts_for(PEOPLE_TEXTS, language)
    query = (request.query_params.get("q") or "").strip()[:200]
    reason = (request.query_params.get("reason") or "").strip()[:500]
    asked = "q" in request.query_params
    problems: list[str] = []
    if asked and len(query) < 2:
        problems.append(t["query_needed"])
    if asked and len(reason) < 3:
        problems.append(t["reason_needed"])
    results = None
    if asked and not problems:
        async with service.transaction() as uow:
            results = await search.search(uow.session, user.district, query)
            for row in results or [None]:
                await record_audit(
                    uow.session,
                    audit_log,
                    actor=user.subject,
                    action="search",
                    subject_id=row.participant_id if row else None,
                    district=user.district,
                    fields="name,status",
                    reason=reason,
                )
    return staff_page(
        environment,
        "staff/people_search.html",
        request,
        user,
        "people",
        language=language,
        status_code=422 if problems else 200,
        page_title=t["search_title"],
        s=t,
        query=query,
        reason=reason,
        errors=problems,
        results=results,
        limit=search.LIMIT,
        municipality_name=municipality_name,
        flash=t["moved"] if request.query_params.get("done") == "moved" else None,
    )
