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
