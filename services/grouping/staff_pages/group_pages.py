"""The district's groups and one group's page; approve, end or split a group."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from shared.texts import text, texts_for
from shared.vocabulary import GROUP_STATUS_NAMES
from shared.web import choose_language, redirect
from shared.web.dependencies import current_service
from shared.web.staff import staff_page
from shared.web_auth import StaffPageUser

from .. import ending, queries
from ..app import GroupingServiceDep
from ..commands.common import GroupingError
from ..commands.staff import approve_group, split_group
from ..models import admission_requests, attendance, groups, memberships
from ..staff_texts import DONE, STAFF_TEXTS
from .common import environment, page_globals

router = APIRouter(include_in_schema=False)


@router.get("/staff/groups")
async def groups_page(
    request: Request, service: GroupingServiceDep, user: StaffPageUser, status: str | None = None
) -> Response:
    wanted = status if status in GROUP_STATUS_NAMES["nb"] else None
    async with service.sessions() as session:
        rows = await queries.district_groups(session, user.district, status=wanted, limit=500)
    language = choose_language(request)
    return staff_page(
        environment,
        "staff/groups.html",
        request,
        user,
        "groups",
        language=language,
        page_title=text(STAFF_TEXTS, language, "groups_title"),
        rows=rows,
        status=status or "",
        **page_globals(request, language),
    )


@router.get("/staff/groups/{group_id}")
async def group_page(
    group_id: uuid.UUID, request: Request, service: GroupingServiceDep, user: StaffPageUser
) -> Response:
    async with service.transaction() as uow:
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
        await queries.record_staff_read(
            uow.session, user, "read_group", f"{len(members)} members", subject_id=group_id
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
        page_title=text(STAFF_TEXTS, language, "group_title"),
        group=group,
        members=members,
        absences={a.participant_id: a for a in absences},
        requests=requests,
        flash=q.get("done") and texts_for(DONE, language).get(q.get("done"), ""),
        errors=[q.get("error")] if q.get("error") else [],
        **page_globals(request, language),
    )


@router.post("/staff/groups/{group_id}/approve")
async def approve(group_id: uuid.UUID, request: Request, user: StaffPageUser) -> Response:
    return await _group_action(
        request,
        user,
        group_id,
        "approved",
        lambda session, service: approve_group(session, group_id, district=user.district, actor=user.subject),
    )


@router.post("/staff/groups/{group_id}/end")
async def end(
    group_id: uuid.UUID, request: Request, user: StaffPageUser, decided: Annotated[str, Form()] = ""
) -> Response:
    if decided != "yes":  # ending cannot be undone: staff confirm that the members decided it
        return redirect(
            request,
            f"/staff/groups/{group_id}?"
            + urlencode({"error": text(STAFF_TEXTS, choose_language(request), "end_confirm")}),
            choose_language(request),
        )
    return await _group_action(
        request,
        user,
        group_id,
        "ended",
        lambda session, service: ending.end_group(
            session, service.outbox, group_id, district=user.district, actor=user.subject
        ),
    )


@router.post("/staff/groups/{group_id}/split")
async def split(group_id: uuid.UUID, request: Request, user: StaffPageUser) -> Response:
    return await _group_action(
        request,
        user,
        group_id,
        "split",
        lambda session, service: split_group(
            session,
            service.outbox,
            group_id,
            district=user.district,
            actor=user.subject,
            as_of=service.today(),
            rules=service.rules,
            timing=service.timing,
        ),
    )


async def _group_action(request: Request, user, group_id: uuid.UUID, done: str, action) -> Response:
    service = current_service(request)
    try:
        async with service.transaction() as uow:
            await action(uow.session, service)
    except GroupingError as error:
        return redirect(
            request, f"/staff/groups/{group_id}?" + urlencode({"error": str(error)}), choose_language(request)
        )
    return redirect(request, f"/staff/groups/{group_id}?done={done}", choose_language(request))
