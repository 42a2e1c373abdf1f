"""The member's newcomers page (signed link, purpose "admission-vote"): ask for newcomers, then vote yes or
no on each candidate the planner proposed. Every member of a running group has the same page."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from shared.auth import InvalidLink
from shared.texts import texts_for
from shared.vocabulary import weekday_name
from shared.web import choose_language, page, redirect
from shared.web.dependencies import current_service

from .api import ADMISSION_LINK, environment
from .app import GroupingServiceDep
from .commands.common import active_membership
from .commands.newcomer_votes import vote_on_candidates
from .commands.newcomers import NewcomerError, start_newcomer_request
from .newcomer_queries import NewcomerView, newcomer_view
from .newcomer_texts import NEWCOMER_TEXTS
from .texts import SITE_NAME

OSLO = ZoneInfo("Europe/Oslo")
DONE = ("voted", "asked")
newcomer_pages = APIRouter(tags=["participant pages"], include_in_schema=False)


async def _member(request: Request, token: str) -> uuid.UUID:
    try:
        return await current_service(request).person_from_link(ADMISSION_LINK, token)
    except InvalidLink:
        raise HTTPException(404, "this link is not valid (it may have expired)") from None


async def _render(
    request: Request,
    participant_id: uuid.UUID,
    *,
    status_code: int = 200,
    errors: list[str] | None = None,
    done: str | None = None,
) -> HTMLResponse:
    service = current_service(request)
    language = choose_language(request)
    t = texts_for(NEWCOMER_TEXTS, language)
    async with service.sessions() as session:
        view: NewcomerView = await newcomer_view(
            session, participant_id, as_of=service.today(), rules=service.rules
        )
    vote_by = None
    if view.vote_by is not None:
        day = view.vote_by.astimezone(OSLO).date()
        vote_by = f"{weekday_name(day.weekday(), language)} {day:%d.%m.%Y}"
    return page(
        environment,
        "pages/newcomers.html",
        request,
        language,
        status_code=status_code,
        site_name=SITE_NAME[language],
        page_title=t["title"],
        t=t,
        view=view,
        vote_by=vote_by,
        max_size=service.rules.max_size,
        page_path=f"/admission/{request.path_params['token']}",
        errors=errors or [],
        done=t[done] if done in DONE else None,
    )


def _error(code: str, language: str, **params: Any) -> str:
    return texts_for(NEWCOMER_TEXTS, language)[f"error_{code}"].format(**params)


@newcomer_pages.get("/admission/{token}", response_class=HTMLResponse)
async def newcomers_page(token: str, request: Request) -> HTMLResponse:
    participant_id = await _member(request, token)
    return await _render(request, participant_id, done=request.query_params.get("done"))


@newcomer_pages.post("/admission/{token}/request", response_class=HTMLResponse)
async def ask_for_newcomers(token: str, request: Request, service: GroupingServiceDep) -> Response:
    participant_id = await _member(request, token)
    language = choose_language(request)
    form = await request.form()
    try:
        wanted = int(str(form.get("wanted", "")))
    except ValueError:
        wanted = 0
    try:
        async with service.transaction() as uow:
            group_id = await _group_of(uow.session, participant_id)
            await start_newcomer_request(
                uow.session,
                uow.outbox,
                group_id,
                wanted=wanted,
                requested_by=participant_id,
                as_of=service.today(),
                rules=service.rules,
                timing=service.timing,
                now=uow.now(),
            )
    except NewcomerError as error:
        return await _render(request, participant_id, status_code=422, errors=[await _say(request, error)])
    return redirect(request, f"{request.url.path.rsplit('/', 1)[0]}?{urlencode({'done': 'asked'})}", language)


@newcomer_pages.post("/admission/{token}", response_class=HTMLResponse)
async def vote_on_newcomers(token: str, request: Request, service: GroupingServiceDep) -> Response:
    participant_id = await _member(request, token)
    language = choose_language(request)
    form = await request.form()
    votes: dict[int, bool] = {}
    for key, value in form.items():
        if key.startswith("candidate-") and key[10:].isdigit() and value in ("yes", "no"):
            votes[int(key[10:])] = value == "yes"
    try:
        async with service.transaction() as uow:
            await vote_on_candidates(
                uow.session,
                uow.outbox,
                participant_id,
                votes,
                as_of=service.today(),
                rules=service.rules,
                timing=service.timing,
                now=uow.now(),
            )
    except NewcomerError as error:
        return await _render(request, participant_id, status_code=422, errors=[await _say(request, error)])
    return redirect(request, f"{request.url.path}?{urlencode({'done': 'voted'})}", language)


async def _group_of(session: Any, participant_id: uuid.UUID) -> uuid.UUID:
    membership = await active_membership(session, participant_id)
    if membership is None or membership.status != "accepted":
        raise NewcomerError("not_member", "only members of a running group can ask for newcomers")
    return membership.group_id


async def _say(request: Request, error: NewcomerError) -> str:
    """The refusal in the reader's language; the range of a number needs the group's room."""
    service = current_service(request)
    language = choose_language(request)
    places = 0
    if error.code == "wanted_out_of_range":
        participant_id = await _member(request, request.path_params["token"])
        async with service.sessions() as session:
            view = await newcomer_view(session, participant_id, as_of=service.today(), rules=service.rules)
        places = view.places
    return _error(error.code, language, places=places)
