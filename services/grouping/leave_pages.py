"""The member's leave page: `/leave/{token}` (signed link, purpose "leave-group", one per person), reached
from the member's meetings page (calendar) and from every group message (notifications).

GET shows what leaving means and asks to confirm; nothing is decided by a GET (mail scanners follow links).
POST leaves, with the person's two choices: say goodbye with their first name, and go back to the waiting
pool. A second POST changes nothing and says so."""

from __future__ import annotations

import logging
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from shared.auth import InvalidLink
from shared.texts import texts_for
from shared.web import choose_language, page

from .api import environment
from .app import GroupingServiceDep
from .commands.leaving import NotAMember, latest_group, leave_group
from .leave_texts import LEAVE_TEXTS
from .texts import SITE_NAME

LEAVE_LINK = "leave-group"
log = logging.getLogger("selvhjelp.grouping")
leave_pages = APIRouter(tags=["participant pages"], include_in_schema=False)


def _render(request: Request, status_code: int = 200, **context: Any) -> HTMLResponse:
    language = choose_language(request)
    t = texts_for(LEAVE_TEXTS, language)
    values = {"state": "invalid", "done": None, "done_more": None, "errors": [], **context}
    return page(
        environment,
        "pages/leave.html",
        request,
        language,
        status_code=status_code,
        site_name=SITE_NAME[language],
        page_title=t["title"],
        t=t,
        **values,
    )


async def _person(service: Any, token: str) -> uuid.UUID | None:
    try:
        return await service.person_from_link(LEAVE_LINK, token)
    except InvalidLink:
        return None


async def _state(service: Any, participant_id: uuid.UUID) -> tuple[str, uuid.UUID | None]:
    """member (may leave), left (has left or the group ended), none (never in a group)."""
    async with service.sessions() as session:
        row = await latest_group(session, participant_id)
    if row is None:
        return "none", None
    if row.status in ("invited", "accepted"):
        return "member", row.group_id
    return "left", row.group_id


@leave_pages.get("/leave/{token}", response_class=HTMLResponse)
async def leave_page(token: str, request: Request, service: GroupingServiceDep) -> HTMLResponse:
    participant_id = await _person(service, token)
    if participant_id is None:
        return _render(request, 404)
    state, _ = await _state(service, participant_id)
    return _render(request, state=state)


@leave_pages.post("/leave/{token}", response_class=HTMLResponse)
async def confirm_leaving(
    token: str,
    request: Request,
    service: GroupingServiceDep,
    goodbye: Annotated[str | None, Form()] = None,
    pool: Annotated[str | None, Form()] = None,
) -> HTMLResponse:
    participant_id = await _person(service, token)
    if participant_id is None:
        return _render(request, 404)
    t = texts_for(LEAVE_TEXTS, choose_language(request))
    state, group_id = await _state(service, participant_id)
    if state != "member" or group_id is None:
        return _render(request, state=state, done=t["already_left"] if state == "left" else None)
    try:
        async with service.transaction() as uow:
            await leave_group(
                uow.session,
                uow.outbox,
                participant_id,
                group_id,
                goodbye_first_name=goodbye == "yes",
                back_to_pool=pool == "yes",
                as_of=service.today(),
                rules=service.rules,
                timing=service.timing,
            )
    except NotAMember:  # a second click racing the first: the first one did it
        return _render(request, state="left", done=t["already_left"])
    log.info("member left a group", extra={"group_id": str(group_id)})
    service.decisions.wake()  # a group now below four is asked what it wants at once, not at the next poll
    more = t["left_pool"] if pool == "yes" else t["left_no_pool"]
    return _render(request, state="left", done=t["left"], done_more=more)
