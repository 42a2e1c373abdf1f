"""The district's waiting pool, with reasons and hints; plan now, move a person into a proposed group."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlalchemy import select

from shared.contracts.vocabulary import SLOTS, Topic
from shared.texts import text, texts_for
from shared.web import choose_language, redirect
from shared.web.staff import staff_page
from shared.web_auth import StaffPageUser

from .. import queries
from ..app import GroupingServiceDep
from ..commands.common import GroupingError, person_from_row
from ..commands.planning import plan_at_staff_request
from ..commands.staff import move_into_group
from ..hints import what_would_it_take
from ..models import groups
from ..staff_texts import DONE, STAFF_TEXTS
from .common import environment, municipality_name, page_globals

router = APIRouter(include_in_schema=False)


@router.get("/staff/pool")
async def pool_page(request: Request, service: GroupingServiceDep, user: StaffPageUser) -> Response:
    q = request.query_params
    wanted = {k: (q.get(k) or "").strip() for k in ("municipality", "topic", "format", "slot")}
    async with service.transaction() as uow:
        everyone = await queries.waiting_people(uow.session, user.district)
        proposed = (
            await uow.session.execute(
                select(groups.c.group_id, groups.c.slot, groups.c.format)
                .where(groups.c.district == user.district, groups.c.status == "proposed")
                .order_by(groups.c.formed_at)
            )
        ).all()
        shown = [r for r in everyone if _matches(r, wanted)]
        await queries.record_staff_read(uow.session, user, "read_pool", f"{len(shown)} people")
    language = choose_language(request)
    people = [person_from_row(r) for r in everyone]
    as_of = service.today()
    rows = [
        {
            "row": r,
            "days": (datetime.now(UTC) - r.registered_at).days,
            "hint": what_would_it_take(person_from_row(r), people, service.rules, as_of, language),
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
        page_title=text(STAFF_TEXTS, language, "pool_title"),
        rows=rows,
        total=len(everyone),
        wanted=wanted,
        municipalities=municipalities,
        topics=[t.value for t in Topic],
        slots=list(SLOTS),
        proposed=proposed,
        flash=q.get("done") and texts_for(DONE, language).get(q.get("done"), ""),
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
async def plan_now(request: Request, service: GroupingServiceDep, user: StaffPageUser) -> Response:
    async with service.transaction() as uow:
        await plan_at_staff_request(uow.session, user.district, actor=user.subject)
    service.planner.wake()
    return redirect(request, "/staff/pool?done=planned", choose_language(request))


@router.post("/staff/pool/{participant_id}/move")
async def move_person(
    participant_id: uuid.UUID,
    request: Request,
    service: GroupingServiceDep,
    user: StaffPageUser,
    group_id: Annotated[str, Form()] = "",
) -> Response:
    language = choose_language(request)
    t = texts_for(STAFF_TEXTS, language)
    try:
        target = uuid.UUID(group_id)
        async with service.transaction() as uow:
            await move_into_group(
                uow.session,
                uow.outbox,
                participant_id,
                target,
                district=user.district,
                actor=user.subject,
                as_of=service.today(),
                rules=service.rules,
                timing=service.timing,
            )
    except ValueError:
        return redirect(request, "/staff/pool?" + urlencode({"error": t["choose_group"]}), language)
    except GroupingError as error:
        message = t["could_not_move"].format(error=error)
        return redirect(request, "/staff/pool?" + urlencode({"error": message}), language)
    return redirect(request, f"/staff/groups/{target}?done=moved", language)
