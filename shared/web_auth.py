"""FastAPI dependencies for staff: a bearer JWT naming the district office (see shared.auth)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth import StaffUser, verify_staff_token

_bearer = HTTPBearer(auto_error=False)
STAFF_ROLE = "staff"  # district office staff; starters and others get other roles


async def staff_user(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> StaffUser:
    """401 without a valid token; data of other districts is then hidden by each query (404, not 403)."""
    if credentials is None:
        raise HTTPException(
            401, "sign in: a bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    try:
        user = verify_staff_token(request.app.state.service.settings.signing_key, credentials.credentials)
    except Exception:
        raise HTTPException(
            401, "the token is invalid or expired", headers={"WWW-Authenticate": "Bearer"}
        ) from None
    if STAFF_ROLE not in user.roles:
        raise HTTPException(403, "your role does not give access to district office data")
    return user


# --- staff pages (a browser cannot send a bearer header) -------------------------------------------
STAFF_COOKIE = "staff_token"
SIGN_IN_PATH = "/staff/sign-in"  # served by grouping, the console's home


def sign_in_url(settings, next_url: str | None = None) -> str:
    from urllib.parse import quote

    url = f"{settings.grouping_url}{SIGN_IN_PATH}"
    return f"{url}?next={quote(next_url, safe='')}" if next_url else url


def set_staff_cookie(response, token: str) -> None:
    """HttpOnly (scripts never see it), SameSite=Strict (no cross-site form can act as staff)."""
    response.set_cookie(STAFF_COOKIE, token, max_age=8 * 3600, httponly=True, samesite="strict", path="/")


async def staff_page_user(request: Request) -> StaffUser:
    """The same check as `staff_user`, from the staff_token cookie; without a valid one the browser is sent
    to the sign-in page (303) and comes back here afterwards."""
    settings = request.app.state.service.settings
    token = request.cookies.get(STAFF_COOKIE)
    user = None
    if token:
        try:
            user = verify_staff_token(settings.signing_key, token)
        except Exception:
            user = None
    if user is None:
        here = str(request.url)
        raise HTTPException(303, "sign in", headers={"Location": sign_in_url(settings, here)})
    if STAFF_ROLE not in user.roles:
        raise HTTPException(403, "your role does not give access to district office data")
    return user


StaffPageUser = Annotated[StaffUser, Depends(staff_page_user)]
