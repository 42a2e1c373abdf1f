"""HTTP of the grouping service: the invitation page (signed link), members' API, staff API. The newcomers
page (purpose "admission-vote") is in newcomer_pages.py."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from shared.auth import InvalidLink, StaffUser, sign_link
from shared.texts import text, texts_for
from shared.vocabulary import slot_name
from shared.web import choose_language, create_environment, page
from shared.web.dependencies import current_service
from shared.web_auth import staff_user

from . import queries
from .app import GroupingServiceDep
from .commands.common import ACTIVE, GroupingError, active_membership
from .commands.invitations import answer_invitation, leave
from .commands.newcomers import start_newcomer_request
from .commands.planning import plan_at_staff_request
from .models import groups, memberships
from .texts import SITE_NAME, TEXTS

INVITATION_LINK = "invitation"
ADMISSION_LINK = "admission-vote"
CALENDAR_LINK = "participant-feed"  # the calendar service's purpose for a person's meetings and feed
CALENDAR_LINK_SECONDS = 3 * 366 * 24 * 3600  # as long as a calendar subscription lives
environment = create_environment(Path(__file__).parent / "templates")
pages = APIRouter(tags=["participant pages"], include_in_schema=False)
router = APIRouter(prefix="/api/v1", tags=["groups"])
staff = APIRouter(prefix="/api/v1/staff", tags=["staff"])


async def _participant(request: Request, purpose: str, token: str) -> uuid.UUID:
    try:
        return await current_service(request).person_from_link(purpose, token)
    except InvalidLink:
        raise HTTPException(404, "this link is not valid (it may have expired)") from None


async def _invitation_view(request: Request, participant_id: uuid.UUID, language: str) -> dict[str, Any]:
    async with current_service(request).sessions() as session:
        row = (
            await session.execute(
                select(groups.c.group_id, groups.c.slot, groups.c.status.label("group_status"))
                .join(memberships, memberships.c.group_id == groups.c.group_id)
                .where(memberships.c.participant_id == participant_id, memberships.c.status == "invited")
            )
        ).one_or_none()
        if row is None:
            return {"open": False, "done": None}
        size = await session.scalar(
            select(func.count()).where(
                memberships.c.group_id == row.group_id, memberships.c.status.in_(ACTIVE)
            )
        )
    return {
        "open": True,
        "done": None,
        "slot_text": slot_name(row.slot, language),
        "size": size,
        # A newcomer the members voted in joins a group that already meets.
        "running": row.group_status == "started",
    }


def _page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    language = choose_language(request)
    return page(
        environment,
        template,
        request,
        language,
        status_code=status_code,
        site_name=SITE_NAME[language],
        page_title=text(TEXTS, language, "invitation_title"),
        t=texts_for(TEXTS, language),
        errors=context.pop("errors", []),
        **context,
    )


def _calendar_link(request: Request, participant_id: uuid.UUID) -> str:
    """The calendar service's page of the person's meetings with its subscription link. It takes the same
    signed token as the calendar feed (purpose "participant-feed", long-lived like a subscription)."""
    service = current_service(request)
    settings = service.settings
    token = sign_link(service.keyring, CALENDAR_LINK, participant_id, lifetime=CALENDAR_LINK_SECONDS)
    return f"{settings.calendar_url}/meetings/{token}"


@pages.get("/invitations/{token}", response_class=HTMLResponse)
async def invitation_page(token: str, request: Request) -> HTMLResponse:
    participant_id = await _participant(request, INVITATION_LINK, token)
    context = await _invitation_view(request, participant_id, choose_language(request))
    return _page(request, "pages/invitation.html", **context)


@pages.post("/invitations/{token}", response_class=HTMLResponse)
async def answer_invitation_page(
    token: str,
    request: Request,
    service: GroupingServiceDep,
    decision: Annotated[str, Form(pattern="^(accept|decline)$")],
    confidentiality: Annotated[str | None, Form()] = None,
) -> HTMLResponse:
    participant_id = await _participant(request, INVITATION_LINK, token)
    language = choose_language(request)
    if decision == "accept" and confidentiality != "yes":
        context = await _invitation_view(request, participant_id, language)
        return _page(
            request, "pages/invitation.html", 422, errors=[text(TEXTS, language, "confirm_needed")], **context
        )
    try:
        async with service.transaction() as uow:
            outcome = await answer_invitation(
                uow.session,
                uow.outbox,
                participant_id,
                accept=decision == "accept",
                confidentiality_confirmed=confidentiality == "yes",
                as_of=service.today(),
                rules=service.rules,
                timing=service.timing,
            )
    except GroupingError as error:
        context = await _invitation_view(request, participant_id, language)
        return _page(request, "pages/invitation.html", 422, errors=[str(error)], **context)
    accepted = outcome == "accepted"
    return _page(
        request,
        "pages/invitation.html",
        done=text(TEXTS, language, "accepted" if accepted else "declined"),
        calendar_link=_calendar_link(request, participant_id) if accepted else None,
    )


# --- members (signed link) --------------------------------------------------------------------------
class AdmissionReceipt(BaseModel):
    request_id: uuid.UUID


class NewcomerRequest(BaseModel):
    wanted: int = Field(default=1, ge=1, le=8, description="How many newcomers the group asks for.")


@router.post(
    "/membership/{token}/admission-requests",
    response_model=AdmissionReceipt,
    status_code=202,
    summary="A member asks the group to vote on newcomers proposed from the waiting pool",
)
async def ask_for_newcomer(
    token: str, request: Request, service: GroupingServiceDep, body: NewcomerRequest | None = None
) -> AdmissionReceipt:
    participant_id = await _participant(request, ADMISSION_LINK, token)
    async with service.transaction() as uow:
        membership = await active_membership(uow.session, participant_id)
        if membership is None or membership.status != "accepted":
            raise HTTPException(404, "you are not a member of a running group")
        try:
            request_id = await start_newcomer_request(
                uow.session,
                uow.outbox,
                membership.group_id,
                wanted=(body or NewcomerRequest()).wanted,
                requested_by=participant_id,
                as_of=service.today(),
                rules=service.rules,
                timing=service.timing,
                now=uow.now(),
            )
        except GroupingError as error:
            raise HTTPException(409, str(error)) from None
    return AdmissionReceipt(request_id=request_id)


@router.post("/membership/{token}/leave", status_code=202, summary="Leave my group")
async def leave_group(token: str, request: Request, service: GroupingServiceDep) -> dict[str, str]:
    participant_id = await _participant(request, ADMISSION_LINK, token)
    async with service.transaction() as uow:
        left = await leave(
            uow.session,
            uow.outbox,
            participant_id,
            as_of=service.today(),
            rules=service.rules,
            timing=service.timing,
        )
    if not left:
        raise HTTPException(404, "you are not in a group")
    return {"status": "left"}


# --- staff ------------------------------------------------------------------------------------------
class WaitingPerson(BaseModel):
    participant_id: uuid.UUID
    municipality: str
    topic: str
    format: str
    availability: list[str]
    waiting_since: str
    reasons: list[dict[str, str]] = Field(default_factory=list)


@staff.get("/pool", response_model=list[WaitingPerson], summary="People waiting in my district, with reasons")
async def waiting_pool(
    request: Request,
    service: GroupingServiceDep,
    user: Annotated[StaffUser, Depends(staff_user)],
    municipality: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
    topic: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[WaitingPerson]:
    async with service.transaction() as uow:
        rows = await queries.waiting_people(
            uow.session, user.district, municipality=municipality, topic=topic, limit=limit
        )
        await queries.record_staff_read(uow.session, user, "read_pool", f"{len(rows)} people")
    return [
        WaitingPerson(
            participant_id=r.participant_id,
            municipality=r.municipality,
            topic=r.topic,
            format=r.format,
            availability=r.availability,
            waiting_since=r.registered_at.isoformat(),
            # The API gives each reason's code and English words; the parameters are for the pages.
            reasons=[{"code": x["code"], "text": x["text"]} for x in r.waiting_reasons or []],
        )
        for r in rows
    ]


class GroupSummary(BaseModel):
    group_id: uuid.UUID
    status: str
    slot: str
    format: str
    members: int
    flag: str | None


@staff.get("/groups", response_model=list[GroupSummary], summary="Groups in my district")
async def list_groups(
    request: Request, service: GroupingServiceDep, user: Annotated[StaffUser, Depends(staff_user)]
) -> list[GroupSummary]:
    async with service.sessions() as session:
        rows = await queries.district_groups(session, user.district)
    return [
        GroupSummary(
            group_id=r.group_id, status=r.status, slot=r.slot, format=r.format, members=r.members, flag=r.flag
        )
        for r in rows
    ]


@staff.post("/plan", status_code=202, summary="Plan my district now")
async def plan_now(
    request: Request, service: GroupingServiceDep, user: Annotated[StaffUser, Depends(staff_user)]
) -> dict[str, str]:
    async with service.transaction() as uow:
        await plan_at_staff_request(uow.session, user.district, actor=user.subject)
    service.planner.wake()
    return {"status": "planning requested"}
