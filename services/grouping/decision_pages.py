"""The members' decision pages (signed link, purpose "group-decision", one per person): the group's open
decisions to vote on, and a form to propose a change (every other week or weekly, a pause over a holiday
period, or the end). Nothing is decided by a GET; every error is shown in the reader's language."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse

from shared.auth import InvalidLink
from shared.clock import NORWAY
from shared.texts import text, texts_for
from shared.web import choose_language, create_environment, page, redirect

from .app import GroupingService, GroupingServiceDep
from .commands.common import GroupingError
from .commands.decisions import DecisionContext, open_decisions_of, propose_change, vote
from .decision_rules import Change, Kind, choices
from .decision_texts import DECISION_TEXTS
from .texts import SITE_NAME

DECISION_LINK = "group-decision"
environment = create_environment(Path(__file__).parent / "templates")
decision_pages = APIRouter(tags=["participant pages"], include_in_schema=False)


def decision_context(service: GroupingService) -> DecisionContext:
    now = service.clock()
    settings = service.settings
    return DecisionContext(
        now=now,
        today=service.today(now),
        rules=service.rules,
        days=settings.decision_days,
        max_pause_days=settings.decision_max_pause_days,
    )


async def _participant(service: GroupingService, token: str) -> uuid.UUID:
    try:
        return await service.person_from_link(DECISION_LINK, token)
    except InvalidLink:
        raise HTTPException(404, "this link is not valid (it may have expired)") from None


def _heading(row: Any, t: dict[str, str]) -> str:
    proposal = row.proposal
    if row.kind == Kind.below_minimum.value:
        return t["below_minimum"]
    if row.kind == Kind.merge.value:
        return t["merge"]
    change = proposal.get("change")
    if change == Change.frequency.value:
        return t[f"change_frequency_{proposal.get('interval_weeks')}"]
    if change == Change.pause.value:
        return t["change_pause"].format(
            **{
                "from": _day(date.fromisoformat(proposal["from"])),
                "until": _day(date.fromisoformat(proposal["until"])),
            }
        )
    return t["change_end"]


def _day(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _moment(at: datetime) -> str:
    return at.astimezone(NORWAY).strftime("%d.%m.%Y %H:%M")


def _view(row: Any, t: dict[str, str]) -> dict[str, Any]:
    options = choices(Kind(row.kind), merge_possible="merge_with" in row.proposal)
    return {
        "decision_id": str(row.decision_id),
        "kind": row.kind,
        "heading": _heading(row, t),
        "lead": t["below_minimum_lead"]
        if row.kind == Kind.below_minimum.value
        else (t["merge_lead"] if row.kind == Kind.merge.value else None),
        "deadline": t["deadline"].format(deadline=_moment(row.deadline)),
        "choices": [(c, t[f"choice_{c}"]) for c in options],
        "my_choice": row.my_choice,
        "my_n": row.my_n,
        "my_vote": t["my_vote"].format(choice=t[f"choice_{row.my_choice}"]) if row.my_choice else None,
    }


def _render(
    request: Request, template: str, title: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    language = choose_language(request)
    t = texts_for(DECISION_TEXTS, language)
    return page(
        environment,
        template,
        request,
        language,
        status_code=status_code,
        site_name=SITE_NAME[language],
        page_title=t[title],
        t=t,
        errors=context.pop("errors", []),
        **context,
    )


async def _decisions_page(
    request: Request,
    service: GroupingService,
    participant_id: uuid.UUID,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    t = texts_for(DECISION_TEXTS, choose_language(request))
    context = {"done": None, "failed": None, **context}
    async with service.sessions() as session:
        rows = await open_decisions_of(session, participant_id)
    return _render(
        request,
        "pages/decisions.html",
        "decision_title",
        status_code,
        decisions=[_view(r, t) for r in rows],
        **context,
    )


@decision_pages.get("/decisions/{token}", response_class=HTMLResponse)
async def decisions_page(
    token: str, request: Request, service: GroupingServiceDep, done: str | None = None
) -> HTMLResponse:
    participant_id = await _participant(service, token)
    t = texts_for(DECISION_TEXTS, choose_language(request))
    return await _decisions_page(
        request, service, participant_id, done=t.get(done) if done in ("voted", "proposed") else None
    )


@decision_pages.post("/decisions/{token}", response_class=HTMLResponse)
async def vote_page(
    token: str,
    request: Request,
    service: GroupingServiceDep,
    decision_id: Annotated[uuid.UUID, Form()],
    choice: Annotated[str | None, Form(max_length=20)] = None,
    newcomers: Annotated[str | None, Form(max_length=3)] = None,
) -> HTMLResponse:
    participant_id = await _participant(service, token)
    language = choose_language(request)
    wanted = int(newcomers) if newcomers and newcomers.strip().isdigit() else None
    try:
        async with service.transaction() as uow:
            await vote(
                uow.session,
                uow.outbox,
                participant_id,
                decision_id,
                choice or "",
                decision_context(service),
                newcomers=wanted,
            )
    except GroupingError as error:
        message = text(DECISION_TEXTS, language, str(error))
        return await _decisions_page(
            request, service, participant_id, 422, errors=[message], failed=str(decision_id)
        )
    return redirect(request, f"/decisions/{token}?done=voted&lang={language}", language)


PROPOSALS = ("frequency_2", "frequency_1", "pause", "end")


def _propose(
    request: Request, service: GroupingService, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return _render(
        request,
        "pages/propose.html",
        "propose_title",
        status_code,
        proposals=PROPOSALS,
        days=service.settings.decision_days,
        form=context.pop("form", {"proposal": None, "pause_from": "", "pause_until": ""}),
        **context,
    )


@decision_pages.get("/decisions/{token}/propose", response_class=HTMLResponse)
async def propose_page(token: str, request: Request, service: GroupingServiceDep) -> HTMLResponse:
    await _participant(service, token)
    return _propose(request, service)


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@decision_pages.post("/decisions/{token}/propose", response_class=HTMLResponse)
async def send_proposal(
    token: str,
    request: Request,
    service: GroupingServiceDep,
    proposal: Annotated[str | None, Form(max_length=20)] = None,
    pause_from: Annotated[str | None, Form(max_length=10)] = None,
    pause_until: Annotated[str | None, Form(max_length=10)] = None,
) -> HTMLResponse:
    participant_id = await _participant(service, token)
    language = choose_language(request)
    form = {"proposal": proposal, "pause_from": pause_from or "", "pause_until": pause_until or ""}
    if proposal not in PROPOSALS:
        error = "choice_invalid"
    else:
        change = Change(proposal.split("_")[0])
        try:
            async with service.transaction() as uow:
                await propose_change(
                    uow.session,
                    uow.outbox,
                    participant_id,
                    change,
                    decision_context(service),
                    interval_weeks=int(proposal[-1]) if change is Change.frequency else None,
                    pause_from=_date(pause_from),
                    pause_until=_date(pause_until),
                )
            return redirect(request, f"/decisions/{token}?done=proposed&lang={language}", language)
        except GroupingError as problem:
            error = str(problem)
    field = "pause_from" if error.startswith("pause") else "proposal"
    return _propose(request, service, 422, errors=[(field, text(DECISION_TEXTS, language, error))], form=form)
