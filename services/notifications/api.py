"""HTTP of the notification service: the "I can't come" page, SMS replies, message preferences, and the
delivery log for staff (states and counts, never message bodies)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select

from shared.auth import InvalidLink, StaffUser
from shared.web import LANGUAGE_COOKIE, LANGUAGES, remember_language
from shared.web.dependencies import current_service
from shared.web_auth import staff_user

from . import gateway_auth, pages, queries
from .app import NotificationServiceDep
from .commands import absence, people
from .commands.absence import AbsenceOutcome
from .domain import ChannelPreference, as_oslo, is_absence_reply, normalise_mobile
from .links import ABSENCE, PREFERENCES
from .models import contacts

public = APIRouter(tags=["participants"])
sms = APIRouter(prefix="/api/v1/sms", tags=["sms"])
staff = APIRouter(prefix="/api/v1/staff", tags=["staff"])

# Pages carry personal tokens in their URL: keep them out of caches, referrers and search engines.
_PRIVATE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def _html(
    body: str, status_code: int = 200, request: Request | None = None, language: str = ""
) -> HTMLResponse:
    response = HTMLResponse(body, status_code=status_code, headers=_PRIVATE)
    if request is not None:
        remember_language(request, response, language)  # only a language picked with `?lang=`
    return response


def _here(request: Request) -> str:
    # Relative, so the form posts back through whatever proxy the page came through.
    return f"{request.url.path}?{request.url.query}" if request.url.query else request.url.path


async def _person(request: Request, purpose: str, token: str) -> uuid.UUID | None:
    try:
        return await current_service(request).person_from_link(purpose, token)
    except InvalidLink:
        return None


def _page_language(request: Request, stored: str | None) -> str:
    """The language picked on the page (`?lang=`, then the cookie), else the person's own (bokmål if none)."""
    asked = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    return asked if asked in LANGUAGES else pages.resolve_language(stored)


async def _language_of(request: Request, participant_id: uuid.UUID) -> str:
    async with current_service(request).sessions() as session:
        language = await session.scalar(
            select(contacts.c.language).where(contacts.c.participant_id == participant_id)
        )
    return _page_language(request, language)


# --- "I can't come" ----------------------------------------------------------------------------------
MeetingParam = Annotated[str, Query(description="Start of the meeting, ISO 8601 (from the link).")]


def _meeting(raw: str) -> datetime:
    try:
        return as_oslo(datetime.fromisoformat(raw.replace("Z", "+00:00")))
    except ValueError:
        raise HTTPException(422, "meeting must be an ISO 8601 date and time") from None


def _invalid_link(request: Request, page: str, keep_query: str = "") -> HTMLResponse:
    language = _page_language(request, None)
    body = pages.page(
        page,
        language,
        path=request.url.path,
        keep_query=keep_query,
        outcome="invalid",
        invalid=True,
        when="",
    )
    return _html(body, 404, request, language)


@public.get("/absence/{token}", response_class=HTMLResponse, summary="Ask the person to confirm an absence")
async def absence_page(
    token: str, meeting: MeetingParam, request: Request, service: NotificationServiceDep
) -> HTMLResponse:
    """Changes nothing: a mail scanner following the link must not report anyone absent."""
    participant_id = await _person(request, ABSENCE, token)
    start = _meeting(meeting)
    keep = urlencode({"meeting": meeting})  # the language links must still open this page
    if participant_id is None:
        return _invalid_link(request, "absence", keep)
    language = await _language_of(request, participant_id)
    outcome = "meeting_passed" if start <= service.runtime.clock() else "ask"
    body = pages.page(
        "absence",
        language,
        path=request.url.path,
        keep_query=keep,
        outcome=outcome,
        when=pages.when(start, language),
        action=_here(request),
    )
    return _html(body, 200, request, language)


@public.post("/absence/{token}", response_class=HTMLResponse, summary="Report that I cannot come")
async def absence_confirm(
    token: str, meeting: MeetingParam, request: Request, service: NotificationServiceDep
) -> HTMLResponse:
    participant_id = await _person(request, ABSENCE, token)
    start = _meeting(meeting)
    keep = urlencode({"meeting": meeting})
    if participant_id is None:
        return _invalid_link(request, "absence", keep)
    async with service.transaction() as uow:
        outcome = await absence.report_absence(uow.session, service.runtime, participant_id, start)
    language = await _language_of(request, participant_id)
    status = 409 if outcome is AbsenceOutcome.meeting_passed else 200
    body = pages.page(
        "absence",
        language,
        path=request.url.path,
        keep_query=keep,
        outcome=outcome.value,
        when=pages.when(start, language),
    )
    return _html(body, status, request, language)


# --- SMS replies -------------------------------------------------------------------------------------
class InboundSms(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    sender: str = Field(
        alias="from", max_length=40, description="The sender's number as the gateway gives it."
    )
    text: str = Field(max_length=1600)


class InboundReceived(BaseModel):
    status: Literal["received"] = Field(
        default="received",
        description="Always the same, whoever sent it and whatever it said: the answer must not tell a "
        "caller whether a number belongs to a participant.",
    )


_INBOUND_BODY = {
    "required": True,
    "content": {"application/json": {"schema": InboundSms.model_json_schema(by_alias=True)}},
}


_SIGNATURE_HEADERS = [
    {
        "in": "header",
        "name": gateway_auth.TIMESTAMP_HEADER,
        "required": True,
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
        "description": "When the gateway signed the request, Unix seconds; refused if far from our clock.",
    },
    {
        "in": "header",
        "name": gateway_auth.SIGNATURE_HEADER,
        "required": True,
        "schema": {"type": "string", "pattern": "^sha256=[0-9a-f]{64}$"},
        "description": "sha256=hex(HMAC-SHA256(SMS_INBOUND_SECRET, timestamp + '.' + raw body)).",
    },
]


def _gateway_may_post(request: Request, body: bytes) -> None:
    settings = current_service(request).runtime.settings
    secret = settings.sms_inbound_secret
    if not secret:
        if settings.environment == "development":
            return  # `make run` and tests without a gateway; production refuses to start like this
        raise HTTPException(503, "SMS replies are not configured (SMS_INBOUND_SECRET)")
    authentic = gateway_auth.is_authentic(
        secret,
        request.headers.get(gateway_auth.TIMESTAMP_HEADER),
        request.headers.get(gateway_auth.SIGNATURE_HEADER),
        body,
        now=current_service(request).runtime.clock(),
        max_age_seconds=settings.sms_inbound_max_age_seconds,
    )
    if not authentic:
        raise HTTPException(401, "signature missing, wrong or too old")


@sms.post(
    "/inbound",
    response_model=InboundReceived,
    summary='An SMS reply ("KAN IKKE") from the gateway',
    openapi_extra={"requestBody": _INBOUND_BODY, "parameters": _SIGNATURE_HEADERS},
    responses={401: {"description": "Not signed by the gateway (X-Gateway-Signature), or too old."}},
)
async def inbound_sms(request: Request, service: NotificationServiceDep) -> InboundReceived:
    """Signed by the gateway (X-Gateway-Timestamp, X-Gateway-Signature). A reply "KAN IKKE" from a
    participant's number reports them absent from their next meeting; anything else changes nothing.
    The answer is the same either way, so it never tells whether a number is a participant's."""
    body = await request.body()  # the signature covers these exact bytes: check before parsing
    _gateway_may_post(request, body)
    try:
        message = InboundSms.model_validate_json(body)
    except ValidationError as error:
        raise HTTPException(422, error.errors(include_url=False, include_input=False)) from None
    rt = service.runtime
    mobile = normalise_mobile(message.sender)
    if not is_absence_reply(message.text) or not mobile:
        return InboundReceived()
    async with service.transaction() as uow:
        for participant_id in await people.participants_with_mobile(uow.session, mobile):
            # A shared number: each person's own next meeting.
            start = await absence.next_meeting_of(uow.session, participant_id, rt.clock())
            if start is not None:
                await absence.report_absence(uow.session, rt, participant_id, start)
    # 200 whether we understood it or not: a gateway retries anything else.
    return InboundReceived()


# --- preferences -------------------------------------------------------------------------------------
async def _preferences_page(request: Request, participant_id: uuid.UUID, *, saved: bool) -> HTMLResponse:
    async with current_service(request).sessions() as session:
        contact = (
            await session.execute(select(contacts).where(contacts.c.participant_id == participant_id))
        ).one_or_none()
    if contact is None:
        return _invalid_link(request, "preferences")
    missing = [what for what, have in (("email", contact.email), ("sms", contact.mobile)) if not have]
    language = _page_language(request, contact.language)
    body = pages.page(
        "preferences",
        language,
        path=request.url.path,
        invalid=False,
        saved=saved,
        action=_here(request),
        channel=contact.channel,
        chosen_language=contact.language,
        only_essential=contact.non_essential_opt_out == "true",
        missing=[what for what in missing if contact.channel in (what, "both")],
    )
    return _html(body, 200, request, language)


@public.get("/preferences/{token}", response_class=HTMLResponse, summary="My message preferences")
async def show_preferences(token: str, request: Request) -> HTMLResponse:
    participant_id = await _person(request, PREFERENCES, token)
    if participant_id is None:
        return _invalid_link(request, "preferences")
    return await _preferences_page(request, participant_id, saved=False)


@public.post("/preferences/{token}", response_class=HTMLResponse, summary="Change my message preferences")
async def save_preferences(
    token: str,
    request: Request,
    service: NotificationServiceDep,
    channel: Annotated[ChannelPreference, Form()],
    language: Annotated[str, Form(pattern="^(nb|nn|en)$")],
    only_essential: Annotated[str | None, Form(description="Present: only the essential messages.")] = None,
) -> HTMLResponse:
    participant_id = await _person(request, PREFERENCES, token)
    if participant_id is None:
        return _invalid_link(request, "preferences")
    async with service.transaction() as uow:
        found = await people.update_preferences(
            uow.session,
            participant_id,
            channel=channel,
            language=language,
            no_optional_messages=bool(only_essential),
        )
    if not found:
        return _invalid_link(request, "preferences")
    return await _preferences_page(request, participant_id, saved=True)


# --- staff -------------------------------------------------------------------------------------------
class DeliveryLogEntry(BaseModel):
    id: int
    recipient_id: uuid.UUID = Field(description="Participant id; look the person up in registration.")
    group_id: uuid.UUID | None
    message_type: str
    channel: str = Field(description="email, sms, or none when we hold no way to reach the person")
    state: str = Field(description="queued, sent, failed, or expired (the meeting began before it could go)")
    attempts: int
    created_at: datetime
    due_at: datetime
    sent_at: datetime | None
    last_error: str | None = Field(description="The provider's reply with addresses and numbers removed.")
    permanent_failure: bool = Field(description="Failed for good (bad address, refused): needs a person.")


@staff.get(
    "/deliveries", response_model=list[DeliveryLogEntry], summary="Delivery log of my district (no bodies)"
)
async def delivery_log(
    request: Request,
    service: NotificationServiceDep,
    user: Annotated[StaffUser, Depends(staff_user)],
    state: Annotated[str | None, Query(pattern="^(queued|sent|failed|expired)$")] = None,
    message_type: Annotated[str | None, Query(max_length=40)] = None,
    recipient_id: uuid.UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[DeliveryLogEntry]:
    async with service.sessions() as session:
        rows = await queries.delivery_log(
            session,
            user.district,
            state=state,
            message_type=message_type,
            recipient_id=recipient_id,
            limit=limit,
        )
    return [
        DeliveryLogEntry(
            id=r.id,
            recipient_id=r.recipient_id,
            group_id=r.group_id,
            message_type=r.message_type,
            channel=r.channel,
            state=r.state,
            attempts=r.attempts,
            created_at=r.created_at,
            due_at=r.due_at,
            sent_at=r.sent_at,
            last_error=r.last_error,
            permanent_failure=r.state == "failed",
        )
        for r in rows
    ]
