"""The staff console's home, served by grouping (it owns the pool and the groups): development sign-in,
overview with charts, waiting pool with reasons and hints, groups, and grouping's audit log.

Every page needs the staff cookie (shared.web_auth.staff_page_user) and shows only the staff member's
district; another district's group answers 404. Changes go through the same commands as the API and are
audited. Forms are plain POSTs protected by the SameSite=Strict cookie.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import httpx
from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from shared.audit import record_audit
from shared.audit.pages import audit_pages
from shared.auth import issue_staff_token
from shared.contracts.vocabulary import SLOTS, Topic
from shared.messaging.topology import TOPOLOGY
from shared.reference import districts, get_municipality
from shared.web import choose_language, create_environment, page, redirect
from shared.web.staff import STAFF_TEXTS as CONSOLE_TEXTS
from shared.web.staff import safe_next, session_hop_url, staff_page
from shared.web.svg import bar_chart, line_chart
from shared.web_auth import STAFF_ROLE, StaffPageUser, set_staff_cookie

from . import ending
from .commands.common import ACTIVE, GroupingError, person_from_row
from .commands.planning import request_planning
from .commands.staff import approve_group, move_into_group, split_group
from .hints import what_would_it_take
from .models import admission_requests, attendance, audit_log, groups, memberships, pool
from .staff_texts import (
    DONE,
    FORMAT_NAMES,
    MEMBER_STATUS_NAMES,
    REQUEST_STATUS_NAMES,
    STAFF_TEXTS,
    STATUS_NAMES,
    TOPIC_NAMES,
    slot_name,
)

environment = create_environment(Path(__file__).parent / "templates")
staff_pages = APIRouter(include_in_schema=False)

WAIT_BINS = (
    (0, 7, "0–7 d"),
    (8, 14, "8–14 d"),
    (15, 30, "15–30 d"),
    (31, 60, "31–60 d"),
    (61, 90, "61–90 d"),
    (91, 180, "91–180 d"),
    (181, 10**6, "> 180 d"),
)


def _state(request: Request):
    return request.app.state


def _municipality(number: str) -> str:
    place = get_municipality(number)
    return place.name if place else number


def _globals(request: Request, language: str) -> dict[str, Any]:
    """What every console page of grouping's needs, in the reader's language."""
    settings = _state(request).service.settings
    return {
        "t": STAFF_TEXTS[language],
        "topic_names": TOPIC_NAMES[language],
        "format_names": FORMAT_NAMES[language],
        "status_names": STATUS_NAMES[language],
        "member_status_names": MEMBER_STATUS_NAMES[language],
        "request_status_names": REQUEST_STATUS_NAMES[language],
        "municipality": _municipality,
        "slot_words": lambda slot: slot_name(slot, language),
        "registration_url": settings.registration_url,
        "calendar_url": settings.calendar_url,
        "notifications_url": settings.notifications_url,
    }


# --- development sign-in ----------------------------------------------------------------------------
@staff_pages.get("/staff/sign-in")
async def sign_in_page(request: Request, next: str | None = None) -> Response:
    settings = _state(request).service.settings
    language = choose_language(request)
    return page(
        environment,
        "staff/sign_in.html",
        request,
        language,
        site_name=CONSOLE_TEXTS[language]["site_name"],
        page_title=STAFF_TEXTS[language]["sign_in_title"],
        t=STAFF_TEXTS[language],
        dev=settings.dev_sign_in,
        districts=districts(),
        next=next or "",
        errors=[],
    )


@staff_pages.post("/staff/sign-in")
async def sign_in(
    request: Request,
    district: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=100)] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    settings = _state(request).service.settings
    if not settings.dev_sign_in:
        raise HTTPException(404, "sign in through the organisation's login")
    language = choose_language(request)
    t = STAFF_TEXTS[language]
    known = {d.id for d in districts()}
    if district not in known:
        return page(
            environment,
            "staff/sign_in.html",
            request,
            language,
            status_code=422,
            site_name=CONSOLE_TEXTS[language]["site_name"],
            page_title=t["sign_in_title"],
            t=t,
            dev=True,
            districts=districts(),
            next=next,
            errors=[t["sign_in_pick_district"]],
        )
    subject = name.strip() or f"utvikler@{district}"
    token = issue_staff_token(
        _state(request).service.keyring, subject, district, [STAFF_ROLE], issuer=settings.staff_token_issuer
    )
    response = redirect(
        request, session_hop_url(settings, "grouping", token, safe_next(settings, next)), language
    )
    set_staff_cookie(response, token, settings)
    return response


# --- overview ---------------------------------------------------------------------------------------
@staff_pages.get("/staff")
async def overview(request: Request, user: StaffPageUser) -> Response:
    now = datetime.now(UTC)
    async with _state(request).service.sessions() as session:
        waiting = (
            await session.execute(
                select(pool.c.municipality, pool.c.topic, pool.c.registered_at).where(
                    pool.c.district == user.district, pool.c.status == "waiting"
                )
            )
        ).all()
        by_status = dict(
            (
                await session.execute(
                    select(groups.c.status, func.count())
                    .where(groups.c.district == user.district)
                    .group_by(groups.c.status)
                )
            ).all()
        )
        flagged = (
            await session.execute(
                select(groups)
                .where(
                    groups.c.district == user.district,
                    groups.c.flag.is_not(None),
                    groups.c.status.in_(("proposed", "started")),
                )
                .order_by(groups.c.formed_at.desc())
            )
        ).all()
        since = (now - timedelta(days=183)).replace(day=1)
        formed = (
            await session.execute(
                select(groups.c.formed_at, groups.c.municipalities).where(
                    groups.c.district == user.district, groups.c.formed_at >= since
                )
            )
        ).all()
    per_place = Counter((w.municipality, w.topic) for w in waiting)
    table = sorted(per_place.items(), key=lambda item: (-item[1], _municipality(item[0][0])))
    days = [(now - w.registered_at).days for w in waiting]
    histogram = [(label, sum(low <= d <= high for d in days)) for low, high, label in WAIT_BINS]
    months, series = _groups_per_month(formed, now)
    dlq = await _dead_letter_depths(_state(request).service.settings)
    language = choose_language(request)
    t = STAFF_TEXTS[language]
    return staff_page(
        environment,
        "staff/overview.html",
        request,
        user,
        "overview",
        language=language,
        page_title=t["overview_title"],
        waiting_total=len(waiting),
        per_place=table,
        longest_days=max(days, default=0),
        by_status=by_status,
        flagged=flagged,
        histogram=histogram,
        wait_chart=bar_chart(
            histogram,
            title=t["wait_chart_title"],
            description=t["wait_chart_description"],
        ),
        group_chart=line_chart(
            months,
            series,
            title=t["group_chart_title"],
            description=t["group_chart_description"],
        ),
        months=months,
        series=series,
        dlq=dlq,
        **_globals(request, language),
    )


def _groups_per_month(formed: list[Any], now: datetime) -> tuple[list[str], list[tuple[str, list[int]]]]:
    months: list[tuple[int, int]] = []
    year, month = now.year, now.month
    for _ in range(6):
        months.insert(0, (year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    counts: Counter[tuple[str, tuple[int, int]]] = Counter()
    totals: Counter[str] = Counter()
    for row in formed:
        for number in row.municipalities or []:
            counts[(number, (row.formed_at.year, row.formed_at.month))] += 1
            totals[number] += 1
    top = [number for number, _ in totals.most_common(5)]
    labels = [f"{m:02d}.{y % 100:02d}" for y, m in months]
    return labels, [(_municipality(n), [counts[(n, ym)] for ym in months]) for n in top]


async def _dead_letter_depths(settings) -> list[tuple[str, int]] | None:
    """Messages in each dead-letter queue, from the management API; None when it is not configured."""
    base = settings.rabbitmq_management_url
    if not base:
        return None
    vhost = quote(
        httpx.URL(settings.rabbitmq_url.replace("amqp", "http", 1)).path.lstrip("/") or "/", safe=""
    )
    wanted = {q.dead_letter_queue for q in TOPOLOGY.queues}
    try:
        async with httpx.AsyncClient(timeout=3) as client:
            reply = await client.get(
                f"{base.rstrip('/')}/api/queues/{vhost}", params={"columns": "name,messages"}
            )
            reply.raise_for_status()
        return sorted((q["name"], q.get("messages", 0)) for q in reply.json() if q["name"] in wanted)
    except (httpx.HTTPError, ValueError, KeyError):
        return []  # shown as "not reachable" rather than breaking the overview


# --- waiting pool -----------------------------------------------------------------------------------
@staff_pages.get("/staff/pool")
async def pool_page(request: Request, user: StaffPageUser) -> Response:
    q = request.query_params
    wanted = {k: (q.get(k) or "").strip() for k in ("municipality", "topic", "format", "slot")}
    state = _state(request)
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
    people = [person_from_row(r) for r in everyone]
    as_of = state.today()
    rows = [
        {
            "row": r,
            "days": (datetime.now(UTC) - r.registered_at).days,
            "hint": what_would_it_take(person_from_row(r), people, state.rules, as_of),
        }
        for r in shown
    ]
    municipalities = sorted({r.municipality for r in everyone}, key=_municipality)
    language = choose_language(request)
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
        **_globals(request, language),
    )


def _matches(row: Any, wanted: dict[str, str]) -> bool:
    return (
        (not wanted["municipality"] or row.municipality == wanted["municipality"])
        and (not wanted["topic"] or row.topic == wanted["topic"])
        and (not wanted["format"] or row.format in (wanted["format"], "any"))
        and (not wanted["slot"] or wanted["slot"] in row.availability)
    )


@staff_pages.post("/staff/pool/plan")
async def plan_now(request: Request, user: StaffPageUser) -> Response:
    state = _state(request)
    async with state.service.transaction() as uow:
        await request_planning(uow.session, user.district)
        await record_audit(
            uow.session, audit_log, actor=user.subject, action="plan", district=user.district, subject_id=None
        )
    state.planner.wake()
    return redirect(request, "/staff/pool?done=planned", choose_language(request))


@staff_pages.post("/staff/pool/{participant_id}/move")
async def move_person(
    participant_id: uuid.UUID, request: Request, user: StaffPageUser, group_id: Annotated[str, Form()] = ""
) -> Response:
    state = _state(request)
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


# --- groups -----------------------------------------------------------------------------------------
@staff_pages.get("/staff/groups")
async def groups_page(request: Request, user: StaffPageUser, status: str | None = None) -> Response:
    active = (
        select(func.count())
        .where(memberships.c.group_id == groups.c.group_id, memberships.c.status.in_(ACTIVE))
        .scalar_subquery()
    )
    query = select(groups, active.label("members")).where(groups.c.district == user.district)
    if status in STATUS_NAMES["nb"]:
        query = query.where(groups.c.status == status)
    async with _state(request).service.sessions() as session:
        rows = (await session.execute(query.order_by(groups.c.formed_at.desc()).limit(500))).all()
    language = choose_language(request)
    return staff_page(
        environment,
        "staff/groups.html",
        request,
        user,
        "groups",
        language=language,
        page_title=STAFF_TEXTS[language]["groups_title"],
        rows=rows,
        status=status or "",
        **_globals(request, language),
    )


@staff_pages.get("/staff/groups/{group_id}")
async def group_page(group_id: uuid.UUID, request: Request, user: StaffPageUser) -> Response:
    async with _state(request).service.transaction() as uow:
        group = (
            await uow.session.execute(
                select(groups).where(groups.c.group_id == group_id, groups.c.district == user.district)
            )
        ).one_or_none()
        if group is None:
            raise HTTPException(404, "no such group in your district")
        members = (
            await uow.session.execute(
                select(memberships).where(memberships.c.group_id == group_id).order_by(memberships.c.status)
            )
        ).all()
        absences = (
            await uow.session.execute(
                select(
                    attendance.c.participant_id,
                    func.count().filter(attendance.c.absent).label("absent"),
                    func.count().label("meetings"),
                )
                .where(attendance.c.group_id == group_id)
                .group_by(attendance.c.participant_id)
            )
        ).all()
        requests = (
            await uow.session.execute(
                select(admission_requests)
                .where(admission_requests.c.group_id == group_id)
                .order_by(admission_requests.c.created_at.desc())
            )
        ).all()
        # The page shows the group's topic and who its members are: audited like every read of the pool.
        await record_audit(
            uow.session,
            audit_log,
            actor=user.subject,
            action="read_group",
            district=user.district,
            subject_id=group_id,
            detail=f"{len(members)} members",
        )
    q = request.query_params
    language = choose_language(request)
    return staff_page(
        environment,
        "staff/group.html",
        request,
        user,
        "groups",
        language=language,
        page_title=STAFF_TEXTS[language]["group_title"],
        group=group,
        members=members,
        absences={a.participant_id: a for a in absences},
        requests=requests,
        flash=q.get("done") and DONE[language].get(q.get("done"), ""),
        errors=[q.get("error")] if q.get("error") else [],
        **_globals(request, language),
    )


@staff_pages.post("/staff/groups/{group_id}/approve")
async def approve(group_id: uuid.UUID, request: Request, user: StaffPageUser) -> Response:
    return await _group_action(
        request,
        user,
        group_id,
        "approved",
        lambda session, state: approve_group(session, group_id, district=user.district, actor=user.subject),
    )


@staff_pages.post("/staff/groups/{group_id}/end")
async def end(
    group_id: uuid.UUID, request: Request, user: StaffPageUser, decided: Annotated[str, Form()] = ""
) -> Response:
    if decided != "yes":  # ending cannot be undone: staff confirm that the members decided it
        return redirect(
            request,
            f"/staff/groups/{group_id}?"
            + urlencode({"error": STAFF_TEXTS[choose_language(request)]["end_confirm"]}),
            choose_language(request),
        )
    return await _group_action(
        request,
        user,
        group_id,
        "ended",
        lambda session, state: ending.end_group(
            session, state.service.outbox, group_id, district=user.district, actor=user.subject
        ),
    )


@staff_pages.post("/staff/groups/{group_id}/split")
async def split(group_id: uuid.UUID, request: Request, user: StaffPageUser) -> Response:
    return await _group_action(
        request,
        user,
        group_id,
        "split",
        lambda session, state: split_group(
            session,
            state.service.outbox,
            group_id,
            district=user.district,
            actor=user.subject,
            as_of=state.today(),
            rules=state.rules,
            timing=state.timing,
        ),
    )


async def _group_action(request: Request, user, group_id: uuid.UUID, done: str, action) -> Response:
    state = _state(request)
    try:
        async with state.service.transaction() as uow:
            await action(uow.session, state)
    except GroupingError as error:
        return redirect(
            request, f"/staff/groups/{group_id}?" + urlencode({"error": str(error)}), choose_language(request)
        )
    return redirect(request, f"/staff/groups/{group_id}?done={done}", choose_language(request))


# --- audit log --------------------------------------------------------------------------------------
staff_pages.include_router(audit_pages("grouping", audit_log, environment, STAFF_TEXTS))
