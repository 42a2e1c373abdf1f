"""A contact point's home, served by grouping (the console's home): links to its pages and, for each of
its municipalities, how many people wait and how many groups run (counts only, no personal data). Also
the development sign-in as a contact point (only with `dev_sign_in`, as the district one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response

from shared.auth import issue_staff_token
from shared.reference import get_municipality
from shared.texts import texts_for
from shared.web import choose_language, redirect
from shared.web.contact import CONTACT_HOME, contact_page
from shared.web.roles import landing
from shared.web.staff import safe_next, session_hop_url
from shared.web_auth import CONTACT_POINT_ROLE, ContactPointPageUser, set_staff_cookie, sign_in_url

from . import queries
from .app import GroupingServiceDep
from .contact_texts import CONTACT_TEXTS
from .staff_pages.common import environment, municipality_name

router = APIRouter(include_in_schema=False)


@router.get(CONTACT_HOME)
async def contact_home(request: Request, service: GroupingServiceDep, user: ContactPointPageUser) -> Response:
    async with service.sessions() as session:
        counts = await queries.municipal_counts(session, user.municipalities)
    language = choose_language(request)
    ct = texts_for(CONTACT_TEXTS, language)
    settings = service.settings
    return contact_page(
        environment,
        "staff/contact_home.html",
        request,
        user,
        "home",
        language=language,
        page_title=ct["home_title"],
        ct=ct,
        counts=counts,
        municipality=municipality_name,
        register_url=f"{settings.registration_url}/contact/register",
        registrations_url=f"{settings.registration_url}/contact/registrations",
        venues_url=f"{settings.calendar_url}/contact/venues",
    )


@router.post("/staff/sign-in/contact-point")
async def dev_sign_in_as_contact_point(
    request: Request,
    service: GroupingServiceDep,
    municipalities: Annotated[list[str], Form()] = [],  # noqa: B006 (FastAPI copies form defaults)
    name: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    """Development only: a contact point of the chosen municipalities, without a password."""
    settings = service.settings
    if not settings.dev_sign_in:
        raise HTTPException(404, "sign in through the organisation's login")
    language = choose_language(request)
    chosen = sorted({m for m in municipalities if get_municipality(m) is not None})
    if not chosen:
        return redirect(request, sign_in_url(settings, next or None) + "#contact-point", language)
    subject = name.strip() or f"kontaktpunkt@{chosen[0]}"
    token = issue_staff_token(
        service.keyring,
        subject,
        "",
        [CONTACT_POINT_ROLE],
        issuer=settings.staff_token_issuer,
        municipalities=chosen,
    )
    then = landing(settings, safe_next(settings, next), [CONTACT_POINT_ROLE])
    response = redirect(request, session_hop_url(settings, "grouping", token, then), language)
    set_staff_cookie(response, token, settings)
    return response
