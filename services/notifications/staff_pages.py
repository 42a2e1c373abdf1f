"""Notifications' staff page: the delivery log of the district (type, channel, state, attempts; never a
message body or an address), with permanent failures flagged for a person to follow up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from shared.texts import text, texts_for
from shared.web import choose_language, create_environment
from shared.web.staff import staff_page
from shared.web_auth import StaffPageUser

from . import queries
from .app import NotificationServiceDep
from .models import deliveries
from .staff_texts import STAFF_TEXTS, STATE_NAMES

environment = create_environment(Path(__file__).parent / "templates")
notification_pages = APIRouter(include_in_schema=False)
STATES = STATE_NAMES["nb"]  # the states a delivery can be in (keys), named in bokmål


@notification_pages.get("/staff/deliveries")
async def deliveries_page(request: Request, service: NotificationServiceDep, user: StaffPageUser) -> Response:
    d = deliveries
    wanted: dict[str, Any] = {
        "state": request.query_params.get("state") if request.query_params.get("state") in STATES else "",
        "message_type": (request.query_params.get("message_type") or "")[:40],
    }
    mine = queries.seen_by(user.district)
    async with service.sessions() as session:
        rows = await queries.delivery_log(
            session, user.district, state=wanted["state"], message_type=wanted["message_type"], limit=300
        )
        counts = dict(
            (await session.execute(select(d.c.state, func.count()).where(mine).group_by(d.c.state))).all()
        )
        types = (await session.scalars(select(d.c.message_type).where(mine).distinct())).all()
    language = choose_language(request)
    return staff_page(
        environment,
        "staff/deliveries.html",
        request,
        user,
        "deliveries",
        language=language,
        page_title=text(STAFF_TEXTS, language, "deliveries_title"),
        t=texts_for(STAFF_TEXTS, language),
        rows=rows,
        counts=counts,
        states=texts_for(STATE_NAMES, language),
        types=sorted(types),
        wanted=wanted,
        grouping_url=service.settings.grouping_url,
    )
