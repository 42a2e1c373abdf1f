"""The console's overview: the district's waiting pool and groups at a glance, with charts. (Dead letters
are the operator's: operator_pages.py.)"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from shared.texts import texts_for
from shared.web import choose_language
from shared.web.staff import staff_page
from shared.web.svg import bar_chart, line_chart
from shared.web_auth import StaffPageUser

from ..app import GroupingServiceDep
from ..commands.common import ACTIVE
from ..models import groups, memberships, pool
from ..planning.policy import expected_share_lasting
from ..staff_texts import STAFF_TEXTS
from .common import environment, municipality_name, page_globals

router = APIRouter(include_in_schema=False)


WAIT_BINS = (
    (0, 7, "0–7 d"),
    (8, 14, "8–14 d"),
    (15, 30, "15–30 d"),
    (31, 60, "31–60 d"),
    (61, 90, "61–90 d"),
    (91, 180, "91–180 d"),
    (181, 10**6, "> 180 d"),
)


@router.get("/staff")
async def overview(request: Request, service: GroupingServiceDep, user: StaffPageUser) -> Response:
    now = datetime.now(UTC)
    async with service.sessions() as session:
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
        # Sizes of the district's current groups (proposed or running), for the share expected to last.
        sizes = (
            (
                await session.execute(
                    select(func.count())
                    .select_from(memberships.join(groups, groups.c.group_id == memberships.c.group_id))
                    .where(
                        groups.c.district == user.district,
                        groups.c.status.in_(("proposed", "started")),
                        memberships.c.status.in_(ACTIVE),
                    )
                    .group_by(groups.c.group_id)
                )
            )
            .scalars()
            .all()
        )
        since = (now - timedelta(days=183)).replace(day=1)
        formed = (
            await session.execute(
                select(groups.c.formed_at, groups.c.municipalities).where(
                    groups.c.district == user.district, groups.c.formed_at >= since
                )
            )
        ).all()
    per_place = Counter((w.municipality, w.topic) for w in waiting)
    table = sorted(per_place.items(), key=lambda item: (-item[1], municipality_name(item[0][0])))
    days = [(now - w.registered_at).days for w in waiting]
    histogram = [(label, sum(low <= d <= high for d in days)) for low, high, label in WAIT_BINS]
    months, series = _groups_per_month(formed, now)
    language = choose_language(request)
    t = texts_for(STAFF_TEXTS, language)
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
        lasting_share=(f"{expected_share_lasting(sizes, service.policy.dropout):.0%}" if sizes else "–"),
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
        **page_globals(request, language),
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
    return labels, [(municipality_name(n), [counts[(n, ym)] for ym in months]) for n in top]
