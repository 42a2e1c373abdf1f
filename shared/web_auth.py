"""FastAPI dependencies for staff: a bearer JWT naming the district office (see shared.auth).

A token is accepted when it verifies (key in the keyring, exp, iat, iss, aud) and this service has not
seen it signed out (shared.revocation: each service keeps the token ids signed out through it).
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth import STAFF_TOKEN_SECONDS, StaffUser, verify_staff_token
from shared.oidc import api_user
from shared.revocation import staff_token_revoked
from shared.web.dependencies import current_service

_bearer = HTTPBearer(auto_error=False)
STAFF_ROLE = "staff"  # district office staff; starters and others get other roles


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


async def staff_user(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> StaffUser:
    """401 without a valid token; data of other districts is then hidden by each query (404, not 403)."""
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
    if STAFF_ROLE not in user.roles:
        raise HTTPException(403, "your role does not give access to district office data")
    return user


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


async def staff_page_user(request: Request) -> StaffUser:
    """The same check as `staff_user`, from the staff cookie; without a valid one the browser is sent
    to the sign-in page (303) and comes back here afterwards."""
    settings = current_service(request).settings
    token = request.cookies.get(staff_cookie_name(settings))
    user = await verified_staff(request, token) if token else None
    if user is None:
        here = str(request.url)
        where = sign_in_url(settings, here)
        if settings.oidc_issuer and not settings.dev_sign_in:  # straight to the organisation's sign-in
            where = f"/staff/oidc/start?next={quote(here, safe='')}"
        raise HTTPException(303, "sign in", headers={"Location": where})
    if STAFF_ROLE not in user.roles:
        raise HTTPException(403, "your role does not give access to district office data")
    return user


StaffPageUser = Annotated[StaffUser, Depends(staff_page_user)]
