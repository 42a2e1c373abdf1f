"""The district's waiting pool, with reasons and hints; plan now, move a person into a proposed group."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from shared.audit import record_audit
from shared.contracts.vocabulary import SLOTS, Topic
from shared.web import choose_language, redirect
from shared.web.staff import staff_page
from shared.web_auth import StaffPageUser

from ..commands.common import GroupingError, person_from_row
from ..commands.planning import request_planning
from ..commands.staff import move_into_group
from ..hints import what_would_it_take
from ..models import audit_log, groups, pool
from ..staff_texts import DONE, STAFF_TEXTS
from .common import environment, municipality_name, page_globals, state_of

router = APIRouter(include_in_schema=False)


@router.get("/staff/pool")
async def pool_page(request: Request, user: StaffPageUser) -> Response:
    q = request.query_params
    wanted = {k: (q.get(k) or "").strip() for k in ("municipality", "topic", "format", "slot")}
    state = state_of(request)
    async with state.service.transaction() as uow:
        everyone = (
            await uow.session.execute(
                select(pool)
                .where(pool.c.district == user.district, pool.c.status == "waiting")
                .order_by(pool.c.registered_at)
            )
        ).all()
        proposed = (
            await uow.session.execute(
                select(groups.c.group_id, groups.c.slot, groups.c.format)
                .where(groups.c.district == user.district, groups.c.status == "proposed")
                .order_by(groups.c.formed_at)
            )
        ).all()
        shown = [r for r in everyone if _matches(r, wanted)]
        # Topics are sensitive: every staff read of the pool is audited.
        await record_audit(
            uow.session,
            audit_log,
            actor=user.subject,
            action="read_pool",
            district=user.district,
            subject_id=None,
            detail=f"{len(shown)} people",
        )
    language = choose_language(request)
    people = [person_from_row(r) for r in everyone]
    as_of = state.today()
    rows = [
        {
            "row": r,
            "days": (datetime.now(UTC) - r.registered_at).days,
            "hint": what_would_it_take(person_from_row(r), people, state.rules, as_of, language),
        }
        for r in shown
    ]
    municipalities = sorted({r.municipality for r in everyone}, key=municipality_name)
    return staff_page(
        environment,
        "staff/pool.html",
        request,
        user,
        "pool",
        language=language,
        page_title=STAFF_TEXTS[language]["pool_title"],
        rows=rows,
        total=len(everyone),
        wanted=wanted,
        municipalities=municipalities,
        topics=[t.value for t in Topic],
        slots=list(SLOTS),
        proposed=proposed,
        flash=q.get("done") and DONE[language].get(q.get("done"), ""),
        errors=[q.get("error")] if q.get("error") else [],
        **page_globals(request, language),
    )


def _matches(row: Any, wanted: dict[str, str]) -> bool:
    return (
        (not wanted["municipality"] or row.municipality == wanted["municipality"])
        and (not wanted["topic"] or row.topic == wanted["topic"])
        and (not wanted["format"] or row.format in (wanted["format"], "any"))
        and (not wanted["slot"] or wanted["slot"] in row.availability)
    )


@router.post("/staff/pool/plan")
async def plan_now(request: Request, user: StaffPageUser) -> Response:
    state = state_of(request)
    async with state.service.transaction() as uow:
        await request_planning(uow.session, user.district)
        await record_audit(
            uow.session, audit_log, actor=user.subject, action="plan", district=user.district, subject_id=None
        )
    state.planner.wake()
    return redirect(request, "/staff/pool?done=planned", choose_language(request))


@router.post("/staff/pool/{participant_id}/move")
async def move_person(
    participant_id: uuid.UUID, request: Request, user: StaffPageUser, group_id: Annotated[str, Form()] = ""
) -> Response:
    state = state_of(request)
    language = choose_language(request)
    t = STAFF_TEXTS[language]
    try:
        target = uuid.UUID(group_id)
        async with state.service.transaction() as uow:
            await move_into_group(
                uow.session,
                uow.outbox,
                participant_id,
                target,
                district=user.district,
                actor=user.subject,
                as_of=state.today(),
                rules=state.rules,
                timing=state.timing,
            )
    except ValueError:
        return redirect(request, "/staff/pool?" + urlencode({"error": t["choose_group"]}), language)
    except GroupingError as error:
        message = t["could_not_move"].format(error=error)
        return redirect(request, "/staff/pool?" + urlencode({"error": message}), language)
    return redirect(request, f"/staff/groups/{target}?done=moved", language)
