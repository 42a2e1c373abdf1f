"""Development sign-in to the staff console."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from shared.auth import issue_staff_token
from shared.reference import districts
from shared.texts import text, texts_for
from shared.web import choose_language, page, redirect
from shared.web.oidc import oidc_enabled, start_url
from shared.web.staff import STAFF_TEXTS as CONSOLE_TEXTS
from shared.web.staff import safe_next, session_hop_url
from shared.web_auth import STAFF_ROLE, set_staff_cookie

from ..app import GroupingServiceDep
from ..staff_texts import STAFF_TEXTS
from .common import environment

router = APIRouter(include_in_schema=False)


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
        next=next or "",
        errors=[],
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
) -> Response:
    settings = service.settings
    if not settings.dev_sign_in:
        raise HTTPException(404, "sign in through the organisation's login")
    language = choose_language(request)
    t = texts_for(STAFF_TEXTS, language)
    known = {d.id for d in districts()}
    if district not in known:
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
            next=next,
            errors=[t["sign_in_pick_district"]],
        )
    subject = name.strip() or f"utvikler@{district}"
    token = issue_staff_token(
        service.keyring, subject, district, [STAFF_ROLE], issuer=settings.staff_token_issuer
    )
    response = redirect(
        request, session_hop_url(settings, "grouping", token, safe_next(settings, next)), language
    )
    set_staff_cookie(response, token, settings)
    return response
