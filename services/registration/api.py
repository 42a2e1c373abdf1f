"""HTTP API of the registration service: public intake, the person's own status link, staff access."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, HTTPException, Query, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from shared import audit
from shared.auth import InvalidLink, StaffUser, sign_link
from shared.contracts import RegistrationDetails, Source
from shared.unit_of_work import Transaction
from shared.web.dependencies import current_service
from shared.web.validation_errors import invalid_request  # noqa: F401 (app.py registers it)
from shared.web_auth import staff_user

from . import commands, domain, queries
from .app import RegistrationServiceDep
from .models import audit_log, erasure_reports, registrations

router = APIRouter(prefix="/api/v1", tags=["registrations"])
STATUS_LINK = "registration-status"


class RegistrationReceipt(BaseModel):
    registration_id: uuid.UUID = Field(description="The person's participant id.")
    status_token: str = Field(
        description="Private, signed token for the status page; give it only to the person."
    )
    status_url: str


class RegistrationStatus(BaseModel):
    registration_id: uuid.UUID
    status: str = Field(
        description="waiting, placed, left (left the group), ended (the group ended) or withdrawn"
    )
    registered_at: str
    availability: list[str]


def refused_fields(problems: Iterable[tuple[str, str]]) -> JSONResponse:
    """422 naming each (dotted field, why) of the body. Same shape as FastAPI's own 422, so a client
    handles both kinds of field errors alike; the public and the partner intake answer with it."""
    return JSONResponse(
        status_code=422,
        content={
            "detail": [
                {"loc": ["body", *field.split(".")], "msg": message, "type": "value_error"}
                for field, message in problems
            ]
        },
    )


def refused_response(refused: domain.RegistrationRefused) -> JSONResponse:
    return refused_fields((p.field, p.message) for p in refused.problems)


def _receipt(request: Request, participant_id: uuid.UUID) -> RegistrationReceipt:
    service = current_service(request)
    settings = service.settings
    token = sign_link(service.keyring, STATUS_LINK, participant_id)
    return RegistrationReceipt(
        registration_id=participant_id,
        status_token=token,
        status_url=status_url(settings, token),
    )


def status_url(settings, token: str) -> str:
    """The person's status link on the configured public address (REGISTRATION_URL), never on the
    address the request came in by: behind the ingress that is the pod's plain http."""
    return f"{settings.registration_url.rstrip('/')}/status/{token}"


ONLY_SELF = (
    "this public API registers people who sign up themselves: source must be self. Contact points and "
    "district offices register people through their signed-in staff pages; other systems send "
    "registration.submitted.v1 to the selvhjelp.intake exchange"
)


# One wording for both limits: which one it was would tell whether these contact details were just used.
TOO_MANY = (
    "too many registrations in a short time from this address or with these contact details; "
    "try again in {seconds} seconds"
)


@router.post(
    "/registrations",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=RegistrationReceipt,
    responses={
        409: {"description": "Idempotency-Key reused with another body"},
        413: {"description": "The body is larger than 64 KiB"},
        422: {"description": "A field is invalid, or source is not self"},
        429: {"description": "Too many registrations from this client or with this contact; see Retry-After"},
    },
    summary="Register interest in a self-help group",
    description=(
        "For people registering themselves (`source: self`). The answer is the same whether or not "
        "someone is already registered with these details (the same `external_ref`): then the person "
        "already registered is told at their own address, and the link in the answer leads nowhere."
    ),
)
async def submit(
    details: RegistrationDetails,
    request: Request,
    service: RegistrationServiceDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key", max_length=200)] = None,
) -> Any:
    if details.source != Source.self:
        return refused_fields([("source", ONLY_SELF)])
    limited = await service.intake_limits.check(request.client and request.client.host, details)
    if limited is not None:
        return JSONResponse(
            status_code=429,
            content={"detail": TOO_MANY.format(seconds=limited.retry_after)},
            headers={"Retry-After": str(limited.retry_after)},
        )
    key = domain.identity_key(service.settings)
    new_id = domain.participant_id_for(details.source, details.external_ref, key)
    try:
        # The two events are written in one statement just before the commit (the unit of work's doing).
        async with service.transaction() as uow:
            session = uow.session
            if idempotency_key:
                request_hash = hashlib.sha256(
                    json.dumps(details.model_dump(mode="json"), sort_keys=True).encode()
                ).hexdigest()
                earlier = await commands.claim_idempotency_key(session, idempotency_key, request_hash, new_id)
                if earlier is not None:
                    participant_id, earlier_hash = earlier
                    if earlier_hash != request_hash:
                        raise HTTPException(
                            409, "this Idempotency-Key was already used with a different request"
                        )
                    return _receipt(request, participant_id)
            submitted = await commands.submit_registration(
                session, uow.outbox, details, participant_id=new_id
            )
            answered = submitted.participant_id
            if not submitted.created:
                # Someone is already registered under this reference. Their link must not go to
                # whoever sent this: the answer looks like a new registration's (an id and link that
                # lead nowhere) and the person registered is told at their own stored address.
                answered = uuid.uuid4()
                await commands.notify_existing(session, uow.outbox, submitted.participant_id)
                if idempotency_key:
                    await commands.bind_idempotency_key(session, idempotency_key, answered)
    except domain.RegistrationRefused as refused:
        return refused_response(refused)
    return _receipt(request, answered)


async def _own_registration(request: Request, token: str) -> uuid.UUID:
    try:
        return await current_service(request).person_from_link(STATUS_LINK, token)
    except InvalidLink:
        raise HTTPException(404, "this link is not valid (it may have expired)") from None


@router.get(
    "/registrations/status/{token}", response_model=RegistrationStatus, summary="The person's own status"
)
async def own_status(token: str, request: Request, service: RegistrationServiceDep) -> RegistrationStatus:
    participant_id = await _own_registration(request, token)
    async with service.sessions() as session:
        row = (
            await session.execute(
                select(
                    registrations.c.status, registrations.c.registered_at, registrations.c.availability
                ).where(registrations.c.participant_id == participant_id)
            )
        ).one_or_none()
    if row is None:
        raise HTTPException(404, "no registration for this link (it may have been erased)")
    return RegistrationStatus(
        registration_id=participant_id,
        status=row.status,
        registered_at=row.registered_at.isoformat(),
        availability=row.availability,
    )


@router.post("/registrations/status/{token}/withdraw", summary="Withdraw my registration")
async def withdraw_own(token: str, request: Request, service: RegistrationServiceDep) -> dict[str, str]:
    participant_id = await _own_registration(request, token)
    async with service.transaction() as uow:
        await commands.withdraw(uow.session, uow.outbox, participant_id, actor="participant")
    return {"status": "withdrawn"}


@router.post("/registrations/status/{token}/erase", summary="Erase all my data (GDPR art. 17)")
async def erase_own(token: str, request: Request, service: RegistrationServiceDep) -> dict[str, str]:
    participant_id = await _own_registration(request, token)
    async with service.transaction() as uow:
        await commands.erase(uow.session, uow.outbox, participant_id, actor="participant")
    return {"status": "erased"}


# --- staff ----------------------------------------------------------------------------------------
staff = APIRouter(prefix="/api/v1/staff", tags=["staff"])


class StaffRegistration(BaseModel):
    registration_id: uuid.UUID
    status: str
    municipality: str
    registered_at: str


@staff.get("/registrations", response_model=list[StaffRegistration], summary="Registrations in my district")
async def list_registrations(
    request: Request,
    service: RegistrationServiceDep,
    user: Annotated[StaffUser, Depends(staff_user)],
    status_filter: Annotated[
        str | None, Query(alias="status", pattern="^(waiting|placed|withdrawn)$")
    ] = None,
    municipality: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[StaffRegistration]:
    query = select(
        registrations.c.participant_id,
        registrations.c.status,
        registrations.c.municipality,
        registrations.c.registered_at,
    ).where(registrations.c.district == user.district)
    if status_filter:
        query = query.where(registrations.c.status == status_filter)
    if municipality:
        query = query.where(registrations.c.municipality == municipality)
    async with service.sessions() as session:
        rows = (await session.execute(query.order_by(registrations.c.registered_at).limit(limit))).all()
    return [
        StaffRegistration(
            registration_id=r.participant_id,
            status=r.status,
            municipality=r.municipality,
            registered_at=r.registered_at.isoformat(),
        )
        for r in rows
    ]


@staff.get("/registrations/{participant_id}", summary="One registration with contact and topic (audited)")
async def read_registration(
    participant_id: uuid.UUID,
    request: Request,
    service: RegistrationServiceDep,
    user: Annotated[StaffUser, Depends(staff_user)],
    reason: Annotated[str, Query(min_length=3, max_length=500, description="Why you need to see it")],
) -> dict[str, Any]:
    async with service.transaction() as uow:
        session = uow.session
        row = await queries.registration_in_district(session, participant_id, user.district)
        if row is None:
            raise HTTPException(404, "no such registration in your district")
        await queries.record_contact_read(session, participant_id, user, reason)
    data = dict(row._mapping)
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


async def _in_my_district(session, participant_id: uuid.UUID, user: StaffUser) -> None:
    found = await session.scalar(
        select(func.count()).where(
            registrations.c.participant_id == participant_id, registrations.c.district == user.district
        )
    )
    if not found:
        raise HTTPException(404, "no such registration in your district")


@staff.post("/registrations/{participant_id}/withdraw", summary="Withdraw a person (audited)")
async def staff_withdraw(
    participant_id: uuid.UUID, user: Annotated[StaffUser, Depends(staff_user)], uow: Transaction
) -> dict[str, str]:
    await _in_my_district(uow.session, participant_id, user)
    await commands.withdraw(uow.session, uow.outbox, participant_id, actor=user.subject)
    return {"status": "withdrawn"}


@staff.post("/registrations/{participant_id}/erase", summary="Erase a person across all services (audited)")
async def staff_erase(
    participant_id: uuid.UUID, user: Annotated[StaffUser, Depends(staff_user)], uow: Transaction
) -> dict[str, str]:
    await _in_my_district(uow.session, participant_id, user)
    await commands.erase(uow.session, uow.outbox, participant_id, actor=user.subject)
    return {"status": "erased"}


@staff.get("/erasures/{participant_id}", summary="What each service deleted for an erasure")
async def erasure_report(
    participant_id: uuid.UUID,
    request: Request,
    service: RegistrationServiceDep,
    user: Annotated[StaffUser, Depends(staff_user)],
) -> dict[str, Any]:
    async with service.sessions() as session:
        # Only for an erasure of a person of the reader's district (the registration is gone; its audit
        # entry keeps the district). Another district's erasure looks exactly like none.
        erased_here = await session.scalar(
            select(func.count()).where(
                audit_log.c.action == "erase",
                audit_log.c.subject_id == participant_id,
                audit_log.c.district == user.district,
            )
        )
        if not erased_here:
            raise HTTPException(404, "no erasure of a person in your district")
        rows = (
            await session.execute(
                select(erasure_reports).where(erasure_reports.c.participant_id == participant_id)
            )
        ).all()
    return {"participant_id": str(participant_id), "services": {r.service: r.rows_deleted for r in rows}}


@staff.get("/audit", summary="Audit log of my district")
async def read_audit(
    request: Request,
    service: RegistrationServiceDep,
    user: Annotated[StaffUser, Depends(staff_user)],
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[dict[str, Any]]:
    async with service.sessions() as session:
        rows = await audit.read_audit(session, audit_log, user.district, audit.AuditFilter(), limit=limit)
    return [
        {
            k: (v.isoformat() if hasattr(v, "isoformat") else str(v) if isinstance(v, uuid.UUID) else v)
            for k, v in r._mapping.items()
        }
        for r in rows
    ]
