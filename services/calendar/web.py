"""What the calendar's HTTP routes share: the service, the config, and the signed-in staff member."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.auth import StaffUser, verify_staff_token

from .config import CalendarConfig

_bearer = HTTPBearer(auto_error=False)


def service_of(request: Request):
    return request.app.state.service


def config_of(request: Request) -> CalendarConfig:
    return request.app.state.service.calendar


async def staff_user(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> StaffUser:
    """401 without a valid token; other districts' data is hidden by each query (404, not 403)."""
    if credentials is None:
        raise HTTPException(
            401, "sign in: a bearer token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    try:
        return verify_staff_token(service_of(request).settings.signing_key, credentials.credentials)
    except Exception:
        raise HTTPException(
            401, "the token is invalid or expired", headers={"WWW-Authenticate": "Bearer"}
        ) from None


Staff = Annotated[StaffUser, Depends(staff_user)]
