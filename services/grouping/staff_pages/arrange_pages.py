"""The console's page for arranging groups by hand: the district's proposed groups with their members, the
waiting people, and the forms to take a person out, move a person, or form a group. The use cases are in
commands/arranging.py; a refusal comes back in the reader's language (arrange_texts.py)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from shared.contracts.vocabulary import SLOTS
from shared.web import choose_language, redirect
from shared.web.staff import staff_page
from shared.web_auth import StaffPageUser

from .. import queries
from ..app import GroupingServiceDep
from ..arrange_texts import arrange_texts, render_refusal
from ..commands.arranging import ArrangementRefused, form_by_hand, move_to_group, take_out
from ..commands.common import ACTIVE
from ..models import groups, memberships, pool
from ..planning.rules import age_on
from .common import environment, municipality_name, page_globals

router = APIRouter(include_in_schema=False)
PAGE = "/staff/arrange"


@router.get(PAGE)
async def arrange_page(request: Request, service: GroupingServiceDep, user: StaffPageUser) -> Response:
    async with service.transaction() as uow:
        proposed = (
            await uow.session.execute(
                select(groups)
                .where(groups.c.district == user.district, groups.c.status == "proposed")
                .order_by(groups.c.formed_at)
            )
        ).all()
        members = (
            await uow.session.execute(
                select(pool, memberships.c.group_id, memberships.c.status.label("membership"))
                .join(memberships, memberships.c.participant_id == pool.c.participant_id)
                .where(
                    memberships.c.group_id.in_([g.group_id for g in proposed]),
                    memberships.c.status.in_(ACTIVE),
                )
                .order_by(pool.c.registered_at)
            )
        ).all()
        waiting = await queries.waiting_people(uow.session, user.district)
        # The page shows who is in which group and what they want to work on: audited like the pool page.
        await queries.record_staff_read(
            uow.session, user, "read_arrange", f"{len(members) + len(waiting)} people"
        )
    by_group: dict[uuid.UUID, list[Any]] = {}
    for row in members:
        by_group.setdefault(row.group_id, []).append(row)
    language = choose_language(request)
    today = service.today()
    q = request.query_params
    a = arrange_texts(language)
    return staff_page(
        environment,
        "staff/arrange.html",
        request,
        user,
        "groups",
        language=language,
        page_title=a["arrange_title"],
        a=a,
        proposed=proposed,
        by_group=by_group,
        waiting=waiting,
        age=lambda row: age_on(row.birth_date, today),
        places=lambda group: ", ".join(municipality_name(m) for m in group.municipalities),
        slots=list(SLOTS),
        rules=service.rules,
        flash=a.get(f"done_{q.get('done')}", "") if q.get("done") else "",
        errors=[q.get("error")] if q.get("error") else [],
        **page_globals(request, language),
    )


async def _arranged(request: Request, service: Any, reason: str, use_case) -> Response:
    """Run the arrangement in one transaction; back to the page with what was done or why not."""
    language = choose_language(request)
    a = arrange_texts(language)
    if not reason.strip():
        return redirect(request, f"{PAGE}?" + urlencode({"error": a["reason_missing"]}), language)
    try:
        async with service.transaction() as uow:
            done = await use_case(uow)
    except ArrangementRefused as refused:
        message = a["refused"].format(message=render_refusal(refused.code, refused.breaches, language))
        return redirect(request, f"{PAGE}?" + urlencode({"error": message}), language)
    service.wake_planner()  # someone back in the pool may make a group with others waiting
    return redirect(request, f"{PAGE}?done={done}", language)


def _ids(*values: str) -> list[uuid.UUID] | None:
    try:
        return [uuid.UUID(v) for v in values]
    except ValueError:
        return None


@router.post(f"{PAGE}/take-out")
async def take_out_page(
    request: Request,
    service: GroupingServiceDep,
    user: StaffPageUser,
    participant_id: Annotated[str, Form()] = "",
    group_id: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    ids = _ids(participant_id, group_id)

    async def use_case(uow) -> str:
        if ids is None:
            raise ArrangementRefused("bad_choice")
        await take_out(
            uow.session,
            uow.outbox,
            ids[0],
            ids[1],
            district=user.district,
            actor=user.subject,
            reason=reason.strip(),
            as_of=service.today(),
            rules=service.rules,
            timing=service.timing,
        )
        return "taken_out"

    return await _arranged(request, service, reason, use_case)


@router.post(f"{PAGE}/move")
async def move_page(
    request: Request,
    service: GroupingServiceDep,
    user: StaffPageUser,
    participant_id: Annotated[str, Form()] = "",
    group_id: Annotated[str, Form()] = "",
    reason: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    ids = _ids(participant_id, group_id)

    async def use_case(uow) -> str:
        if ids is None:
            raise ArrangementRefused("bad_choice")
        await move_to_group(
            uow.session,
            uow.outbox,
            ids[0],
            ids[1],
            district=user.district,
            actor=user.subject,
            reason=reason.strip(),
            as_of=service.today(),
            rules=service.rules,
            timing=service.timing,
        )
        return "moved"

    return await _arranged(request, service, reason, use_case)


@router.post(f"{PAGE}/form")
async def form_page(
    request: Request,
    service: GroupingServiceDep,
    user: StaffPageUser,
    participant_id: Annotated[list[str] | None, Form()] = None,
    slot: Annotated[str, Form()] = "",
    meeting_format: Annotated[str, Form(alias="format")] = "",
    reason: Annotated[str, Form(max_length=400)] = "",
) -> Response:
    ids = _ids(*(participant_id or []))

    async def use_case(uow) -> str:
        if not ids or slot not in SLOTS:
            raise ArrangementRefused("bad_choice")
        await form_by_hand(
            uow.session,
            uow.outbox,
            ids,
            slot=slot,
            meeting_format=meeting_format,
            district=user.district,
            actor=user.subject,
            reason=reason.strip(),
            as_of=service.today(),
            rules=service.rules,
            timing=service.timing,
        )
        return "formed"

    return await _arranged(request, service, reason, use_case)
