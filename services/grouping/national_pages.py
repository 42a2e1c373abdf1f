"""The national coordinator's page (role `national`): figures per district office from grouping's own
tables, and no personal data.

    GET /national    waiting, groups being formed, running and ended, per district

A count from 1 to 4 is shown as "<5": in a small district a count that small, together with what a
coordinator knows locally, could point at a person. There is no national total row: with one district's
count hidden, a total would give it away.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.reference import districts
from shared.texts import texts_for
from shared.web import choose_language
from shared.web.roles import role_page
from shared.web_auth import NATIONAL_ROLE, NationalPageUser

from .app import GroupingServiceDep
from .models import groups, pool
from .role_texts import ROLE_TEXTS
from .staff_pages.common import environment

SMALLEST_SHOWN = 5
# The columns of the table: (key in the figures and in the texts, where the count comes from).
COLUMNS = ("waiting", "forming", "running", "ended")
_GROUP_STATUS_COLUMN = {"proposed": "forming", "started": "running", "ended": "ended"}

national_pages = APIRouter(include_in_schema=False)


def shown(count: int) -> str:
    """A count as the national page shows it: 0 as itself, 1 to 4 as "<5"."""
    return "<5" if 0 < count < SMALLEST_SHOWN else str(count)


@dataclass(frozen=True)
class DistrictFigures:
    district: str
    name: str
    counts: dict[str, str]  # column -> shown count


async def district_figures(session: AsyncSession) -> list[DistrictFigures]:
    """Every district office, with its counts already made safe to show."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))
    waiting = await session.execute(
        select(pool.c.district, func.count()).where(pool.c.status == "waiting").group_by(pool.c.district)
    )
    for district, count in waiting.all():
        counts[district]["waiting"] = count
    by_status = await session.execute(
        select(groups.c.district, groups.c.status, func.count())
        .where(groups.c.status.in_(_GROUP_STATUS_COLUMN))
        .group_by(groups.c.district, groups.c.status)
    )
    for district, status, count in by_status.all():
        counts[district][_GROUP_STATUS_COLUMN[status]] += count
    return [
        DistrictFigures(d.id, d.name, {column: shown(counts[d.id][column]) for column in COLUMNS})
        for d in districts()
    ]


@national_pages.get("/national")
async def national_home(request: Request, service: GroupingServiceDep, user: NationalPageUser) -> Response:
    async with service.sessions() as session:
        figures = await district_figures(session)
    language = choose_language(request)
    t = texts_for(ROLE_TEXTS, language)
    return role_page(
        environment,
        "staff/national.html",
        request,
        user,
        NATIONAL_ROLE,
        language=language,
        page_title=t["national_title"],
        t=t,
        columns=COLUMNS,
        figures=figures,
    )
