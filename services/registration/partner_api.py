"""The partner endpoint: a partner system (a municipality's case system, shared/partners.py) submits a
registration over HTTP with an OAuth2 client-credentials access token from the organisation's identity
provider, and gets our registration id. The same as publishing registration.submitted.v1 to the intake
with its own broker user: its references are its own, and a resend of one is answered with the
registration it made first (docs/partners.md)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from shared.contracts import RegistrationDetails, Source
from shared.oidc import InvalidProviderToken, provider_for
from shared.web.dependencies import current_service

from . import commands, domain
from .api import refused_fields, refused_response
from .app import RegistrationServiceDep

partner_router = APIRouter(prefix="/api/v1/partner", tags=["partner systems"])
_bearer = HTTPBearer(auto_error=False)

ONLY_EXTERNAL = "a partner system registers people as source external, with its own external_ref"


class PartnerReceipt(BaseModel):
    registration_id: uuid.UUID = Field(description="Our id of the registration (the participant id).")
    external_ref: str = Field(description="Your reference, as you sent it.")
    created: bool = Field(description="False: this reference was registered before; the id is that one's.")


def _refused(code: int, detail: str, error: str) -> HTTPException:
    return HTTPException(code, detail, headers={"WWW-Authenticate": f'Bearer error="{error}"'})


async def partner_system(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The partner system an access token is for: issued by our provider for the partner API, with the
    submitting scope, to a client that is one of our partners (deny by default)."""
    settings = current_service(request).settings
    provider = provider_for(settings)
    if credentials is None or provider is None:
        raise HTTPException(401, "a bearer access token is required", headers={"WWW-Authenticate": "Bearer"})
    try:
        claims = await provider.verify(credentials.credentials, audience=settings.partner_api_audience)
    except (InvalidProviderToken, httpx.HTTPError):
        raise _refused(401, "the access token is invalid or expired", "invalid_token") from None
    scope = claims.get("scope")
    if not isinstance(scope, str) or settings.partner_api_scope not in scope.split():
        raise _refused(
            403, f"the access token lacks the scope {settings.partner_api_scope}", "insufficient_scope"
        )
    client_id = claims.get("client_id")
    partner = current_service(request).partner_clients.get(client_id) if isinstance(client_id, str) else None
    if partner is None:
        raise _refused(403, "this client is not one of our partner systems", "insufficient_scope")
    return partner


@partner_router.post(
    "/registrations",
    status_code=status.HTTP_201_CREATED,
    response_model=PartnerReceipt,
    responses={
        200: {"description": "This reference was registered before: the answer names that registration"},
        401: {"description": "No access token, or one that is invalid or expired"},
        403: {"description": "The token lacks the scope, or its client is not a partner system"},
        422: {"description": "A field is invalid, or source is not external"},
    },
    summary="A partner system registers a person's interest",
    description=(
        "Authorised by an OAuth2 client-credentials access token from the organisation's identity provider "
        "with the scope `registrations:submit`. Idempotent by your `external_ref`: sending the same "
        "reference again registers nobody and answers with the first registration's id (200)."
    ),
)
async def submit_as_partner(
    details: RegistrationDetails,
    response: Response,
    service: RegistrationServiceDep,
    partner: Annotated[str, Depends(partner_system)],
) -> Any:
    if details.source != Source.external:
        return refused_fields([("source", ONLY_EXTERNAL)])
    try:
        async with service.transaction() as uow:
            submitted = await commands.submit_registration(
                uow.session, uow.outbox, details, identity_key=service.identity_key, sender=partner
            )
    except domain.RegistrationRefused as refused:
        return refused_response(refused)
    if not submitted.created:
        response.status_code = status.HTTP_200_OK
    assert details.external_ref is not None  # source external requires it (RegistrationDetails)
    return PartnerReceipt(
        registration_id=submitted.participant_id, external_ref=details.external_ref, created=submitted.created
    )
