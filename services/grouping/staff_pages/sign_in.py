"""Development sign-in to the staff console."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from shared.auth import issue_staff_token
from shared.reference import all_municipalities, districts
from shared.texts import text, texts_for
from shared.web import choose_language, page, redirect
from shared.web.oidc import oidc_enabled, start_url
from shared.web.roles import landing
from shared.web.staff import STAFF_TEXTS as CONSOLE_TEXTS
from shared.web.staff import safe_next, session_hop_url
from shared.web_auth import NATIONAL_ROLE, OPERATOR_ROLE, STAFF_ROLE, STARTER_ROLE, set_staff_cookie

from ..app import GroupingServiceDep
from ..contact_texts import CONTACT_TEXTS
from ..staff_texts import STAFF_TEXTS
from .common import environment

router = APIRouter(include_in_schema=False)

# The roles the development sign-in offers; a contact point signs in through the provider (municipalities).
DEV_ROLES = (STAFF_ROLE, STARTER_ROLE, NATIONAL_ROLE, OPERATOR_ROLE)
# Roles whose data is scoped to a district; the others see figures across districts only.
DISTRICT_ROLES = (STAFF_ROLE, STARTER_ROLE)


def _contact_point_choice(language: str) -> dict:
    """The development sign-in's second form: a contact point of chosen municipalities (contact_pages)."""
    return {
        "ct": texts_for(CONTACT_TEXTS, language),
        "municipalities": sorted(all_municipalities(), key=lambda m: m.name),
    }


@router.get("/staff/sign-in")
async def sign_in_page(request: Request, service: GroupingServiceDep, next: str | None = None) -> Response:
    settings = service.settings
    language = choose_language(request)
    return page(
        environment,
        "staff/sign_in.html",
        request,
        language,
        site_name=text(CONSOLE_TEXTS, language, "site_name"),
        page_title=text(STAFF_TEXTS, language, "sign_in_title"),
        t=texts_for(STAFF_TEXTS, language),
        dev=settings.dev_sign_in,
        districts=districts(),
        roles=DEV_ROLES,
        next=next or "",
        errors=[],
        **_contact_point_choice(language),
        oidc_url=start_url(settings, next or "") if oidc_enabled(settings) else None,
        oidc_name=settings.oidc_provider_name,
    )


@router.post("/staff/sign-in")
async def sign_in(
    request: Request,
    service: GroupingServiceDep,
    district: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = STAFF_ROLE,
) -> Response:
    settings = service.settings
    if not settings.dev_sign_in:
        raise HTTPException(404, "sign in through the organisation's login")
    language = choose_language(request)
    t = texts_for(STAFF_TEXTS, language)
    known = {d.id for d in districts()}
    if role not in DEV_ROLES:
        raise HTTPException(422, "unknown role")
    if role not in DISTRICT_ROLES:
        district = ""  # national and operator see no district's people
    elif district not in known:
        return page(
            environment,
            "staff/sign_in.html",
            request,
            language,
            status_code=422,
            site_name=text(CONSOLE_TEXTS, language, "site_name"),
            page_title=t["sign_in_title"],
            t=t,
            dev=True,
            districts=districts(),
            roles=DEV_ROLES,
            next=next,
            errors=[t["sign_in_pick_district"]],
            **_contact_point_choice(language),
        )
    subject = name.strip() or f"utvikler@{district or role}"
    # A starter is found in the calendar by e-mail (ADR 0014): the name field carries it here.
    email = subject.lower() if role == STARTER_ROLE and "@" in subject else ""
    token = issue_staff_token(
        service.keyring, subject, district, [role], issuer=settings.staff_token_issuer, email=email
    )
    target = landing(settings, safe_next(settings, next), {role})
    response = redirect(request, session_hop_url(settings, "grouping", token, target), language)
    set_staff_cookie(response, token, settings)
    return response
