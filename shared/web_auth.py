"""FastAPI dependencies for staff: a bearer JWT naming the district office (see shared.auth).

A token is accepted when it verifies (key in the keyring, exp, iat, iss, aud) and this service has not
seen it signed out (shared.revocation: each service keeps the token ids signed out through it).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.audit import acting_as
from shared.auth import STAFF_TOKEN_SECONDS, StaffUser, verify_staff_token
from shared.oidc import api_user
from shared.revocation import staff_token_revoked
from shared.web.dependencies import current_service

_bearer = HTTPBearer(auto_error=False)


async def verified_staff(request: Request, token: str) -> StaffUser | None:
    """The staff member of a valid, not signed-out token, else None."""
    service = current_service(request)
    try:
        user = verify_staff_token(service.keyring, token, issuer=service.settings.staff_token_issuer)
    except Exception:
        return None
    if await staff_token_revoked(service.sessions, service.metadata, user):
        return None
    return user


# The roles (ADR 0013): what each may see is decided by the route's dependency (deny by default) and then
# scoped by each query to the user's district or municipalities.
STAFF_ROLE = "staff"  # district office staff
CONTACT_POINT_ROLE = "contact_point"  # a local contact point: one or more municipalities
STARTER_ROLE = "starter"  # starts groups in a district
NATIONAL_ROLE = "national"  # national coordinator: figures across districts, no personal data
OPERATOR_ROLE = "operator"  # runs the system: health, queues, dead letters, no personal data
_FORBIDDEN = {
    STAFF_ROLE: "your role does not give access to district office data",
    CONTACT_POINT_ROLE: "only a contact point may use this",
    STARTER_ROLE: "only a starter may use this",
    NATIONAL_ROLE: "only the national coordinator may use this",
    OPERATOR_ROLE: "only an operator may use this",
}


async def _bearer_user(request: Request, credentials: HTTPAuthorizationCredentials | None) -> StaffUser:
    if credentials is None:
        raise HTTPException(
            401, "sign in: a bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    user = await verified_staff(request, credentials.credentials)
    if user is None:  # the organisation's provider's access token for our API (shared.oidc)
        user = await api_user(current_service(request).settings, credentials.credentials)
    if user is None:
        raise HTTPException(
            401, "the token is invalid, expired or signed out", headers={"WWW-Authenticate": "Bearer"}
        )
    return user


def api_user_with(role: str):
    """A dependency for JSON routes of one role: 401 without a valid bearer token, 403 for another role;
    data outside the user's district or municipalities is then hidden by each query (404, not 403)."""

    async def dependency(
        request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
    ) -> StaffUser:
        user = await _bearer_user(request, credentials)
        if role not in user.roles:
            raise HTTPException(403, _FORBIDDEN[role])
        acting_as(user, role)  # what this request audits says in which role and scope (shared.audit)
        return user

    dependency.__name__ = f"{role}_api_user"
    return dependency


staff_user = api_user_with(STAFF_ROLE)


# --- staff pages (a browser cannot send a bearer header) -------------------------------------------
# `__Host-` makes the browser refuse the cookie unless it is Secure, for this host only and Path=/, so a
# sibling subdomain cannot plant or shadow it. Plain http://127.0.0.1 in development cannot carry it
# (test clients and some browsers drop Secure cookies there), so development keeps the plain name.
STAFF_COOKIE = "__Host-staff_token"
DEV_STAFF_COOKIE = "staff_token"
SIGN_IN_PATH = "/staff/sign-in"  # served by grouping, the console's home


def staff_cookie_name(settings) -> str:
    return DEV_STAFF_COOKIE if settings.is_development else STAFF_COOKIE


def sign_in_url(settings, next_url: str | None = None) -> str:
    url = f"{settings.grouping_url}{SIGN_IN_PATH}"
    return f"{url}?next={quote(next_url, safe='')}" if next_url else url


def set_staff_cookie(response, token: str, settings, lifetime: int = STAFF_TOKEN_SECONDS) -> None:
    """HttpOnly (scripts never see it), SameSite=Strict (no cross-site navigation carries it), Secure and
    `__Host-` outside development."""
    response.set_cookie(
        staff_cookie_name(settings),
        token,
        max_age=lifetime,
        httponly=True,
        samesite="strict",
        secure=not settings.is_development,
        path="/",
    )


def clear_staff_cookie(response, settings) -> None:
    response.delete_cookie(
        staff_cookie_name(settings),
        path="/",
        httponly=True,
        samesite="strict",
        secure=not settings.is_development,
    )


async def _cookie_user(request: Request) -> StaffUser:
    """The user of the staff cookie; without a valid one the browser is sent to the sign-in page (303)
    and comes back here afterwards."""
    settings = current_service(request).settings
    token = request.cookies.get(staff_cookie_name(settings))
    user = await verified_staff(request, token) if token else None
    if user is None:
        here = str(request.url)
        where = sign_in_url(settings, here)
        if settings.oidc_issuer and not settings.dev_sign_in:  # straight to the organisation's sign-in
            where = f"/staff/oidc/start?next={quote(here, safe='')}"
        raise HTTPException(303, "sign in", headers={"Location": where})
    return user


def page_user_with(role: str):
    """The same check as `api_user_with`, from the cookie (a browser cannot send a bearer header)."""

    async def dependency(request: Request) -> StaffUser:
        user = await _cookie_user(request)
        if role not in user.roles:
            raise HTTPException(403, _FORBIDDEN[role])
        acting_as(user, role)  # what this request audits says in which role and scope (shared.audit)
        return user

    dependency.__name__ = f"{role}_page_user"
    return dependency


staff_page_user = page_user_with(STAFF_ROLE)
StaffPageUser = Annotated[StaffUser, Depends(staff_page_user)]
ContactPointPageUser = Annotated[StaffUser, Depends(page_user_with(CONTACT_POINT_ROLE))]
StarterPageUser = Annotated[StaffUser, Depends(page_user_with(STARTER_ROLE))]
NationalPageUser = Annotated[StaffUser, Depends(page_user_with(NATIONAL_ROLE))]
OperatorPageUser = Annotated[StaffUser, Depends(page_user_with(OPERATOR_ROLE))]
ContactPointUser = Annotated[StaffUser, Depends(api_user_with(CONTACT_POINT_ROLE))]
StarterUser = Annotated[StaffUser, Depends(api_user_with(STARTER_ROLE))]
NationalUser = Annotated[StaffUser, Depends(api_user_with(NATIONAL_ROLE))]
OperatorUser = Annotated[StaffUser, Depends(api_user_with(OPERATOR_ROLE))]
