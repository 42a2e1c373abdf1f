"""The statistics page and its exports (CSV, XLSX): the figures a district reports, per district, county,
municipality, topic or quarter (services/grouping/statistics.py). District office staff see their own
district; the national coordinator (`national`) sees every district, or one (`?district=`).

The figures hold no personal data (counts under 5 are hidden), but an export leaves the system: each
export is written to the audit log with who, which selection and why (the form's purpose).
"""

from __future__ import annotations

import csv
import io
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from markupsafe import Markup

from shared.audit import record_audit
from shared.auth import StaffUser
from shared.reference import districts
from shared.web import choose_language
from shared.web.staff import staff_page
from shared.web.svg import bar_chart
from shared.web_auth import NATIONAL_ROLE, STAFF_ROLE, page_user_with

from .. import statistics as st
from ..app import GroupingServiceDep
from ..models import audit_log
from ..statistics_texts import STATISTICS_TEXTS
from .common import environment, page_globals

router = APIRouter(include_in_schema=False)
_staff = page_user_with(STAFF_ROLE)
_national = page_user_with(NATIONAL_ROLE)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def staff_or_national_page_user(request: Request) -> StaffUser:
    """District office staff, or else the national coordinator; anyone else is refused (403). A route
    dependency (not a call inside the route) so the role check runs before anything else and the
    authorization matrix test finds it by its name."""
    try:
        return await _staff(request)
    except HTTPException as refused:
        if refused.status_code != 403:
            raise
    return await _national(request)


def is_national(user: StaffUser) -> bool:
    return NATIONAL_ROLE in user.roles and STAFF_ROLE not in user.roles


def chosen_district(user: StaffUser, asked: str | None) -> str:
    """Staff see their own district (another answers 404); the national coordinator any, or all."""
    known = {d.id for d in districts()}
    if is_national(user):
        wanted = asked or st.ALL
        if wanted != st.ALL and wanted not in known:
            raise HTTPException(404, "no such district")
        return wanted
    if asked and asked != user.district:
        raise HTTPException(404, "no such district")
    return user.district


StatisticsUser = Annotated[StaffUser, Depends(staff_or_national_page_user)]


class Selection:
    def __init__(self, request: Request, user: StaffUser, today) -> None:
        params = request.query_params
        self.district = chosen_district(user, params.get("district"))
        by = params.get("by") or ("district" if self.district == st.ALL else "municipality")
        self.by = by if by in st.DIMENSIONS else "municipality"
        self.year = st.report_year(params.get("year"), today)
        self.language = choose_language(request)

    def query(self) -> str:
        year = st.ALL if self.year is None else str(self.year)
        return f"district={self.district}&by={self.by}&year={year}&lang={self.language}"


async def report_for(
    service, district: str = st.ALL, by: str = "district", year: int | None = None, language: str = "nb"
) -> dict[str, Any]:
    """The rows (key, name in `language`, values) and the total of a selection, as they may be shown
    (counts under 5 as "<5", and ":" where the total would give one away): what this page, its exports and the national coordinator's pages use.
    `district` is a district id or `all`; the caller has checked that the reader may see it."""
    since, until = st.period_bounds(year)
    async with service.sessions() as session:
        people, group_facts = await st.load_facts(session, district, since=since, until=until)
    rows, total = st.aggregate(people, group_facts, by, as_of=st.datetime.now(st.UTC))
    shown_rows, shown_total = st.shown_table(rows, total)
    return {
        "rows": [
            (row.key, st.label(by, row.key, language), values)
            for row, values in zip(rows, shown_rows, strict=True)
        ],
        "total": shown_total,
    }


async def build_report(service, selection: Selection) -> dict[str, Any]:
    return await report_for(service, selection.district, selection.by, selection.year, selection.language)


def _charts(report: dict[str, Any], t: dict[str, str]) -> list[tuple[str, Markup]]:
    charts = []
    for title, column in ((t["chart_registrations"], "registrations"), (t["chart_groups"], "groups_formed")):
        bars = [(label[:14], values[column]) for _, label, values in report["rows"]]
        bars = [(label, value) for label, value in bars if isinstance(value, int)]
        if bars:
            charts.append(
                (title, bar_chart(bars[:12], title=title, description=t["chart_description"], height=200))
            )
    return charts


@router.get("/staff/statistics")
async def statistics_page(request: Request, service: GroupingServiceDep, user: StatisticsUser) -> Response:
    selection = Selection(request, user, service.today())
    report = await build_report(service, selection)
    t = STATISTICS_TEXTS[selection.language]
    return staff_page(
        environment,
        "staff/statistics.html",
        request,
        user,
        "statistics",
        language=selection.language,
        page_title=t["title"],
        s=t,
        selection=selection,
        national=is_national(user),
        district_choices=[(d.id, d.name) for d in districts()],
        dimensions=st.DIMENSIONS,
        columns=st.COLUMNS,
        years=range(service.today().year, service.today().year - 6, -1),
        charts=_charts(report, t),
        figure=lambda value: _figure(value, selection.language),
        **report,
        **page_globals(request, selection.language),
    )


def _figure(value: Any, language: str) -> str:
    """A waiting time with the reader's decimal sign (a comma in Norwegian); counts and "<5" as they are."""
    if isinstance(value, float):
        text = f"{value:.1f}"
        return text if language == "en" else text.replace(".", ",")
    return str(value)


def _table(report: dict[str, Any], selection: Selection) -> list[list[Any]]:
    t = STATISTICS_TEXTS[selection.language]
    header = [t[f"by_{selection.by}"], t["key"], *(t[column] for column in st.COLUMNS)]
    lines = [header]
    for key, label, values in report["rows"]:
        lines.append([label, key, *(values[column] for column in st.COLUMNS)])
    lines.append([t["total"], "", *(report["total"][column] for column in st.COLUMNS)])
    return lines


async def _export(request: Request, service, user: StaffUser, kind: str) -> tuple[Selection, list[list[Any]]]:
    selection = Selection(request, user, service.today())
    report = await build_report(service, selection)
    async with service.transaction() as uow:
        await record_audit(
            uow.session,
            audit_log,
            actor=user.subject,
            action=f"statistics_exported_{kind}",
            district=None if selection.district == st.ALL else selection.district,
            detail=selection.query()[:500],
        )
    return selection, _table(report, selection)


def _filename(selection: Selection, extension: str) -> str:
    year = "alle" if selection.year is None else selection.year
    return f"selvhjelp-statistikk-{selection.district}-{selection.by}-{year}.{extension}"


@router.get("/staff/statistics.csv")
async def statistics_csv(request: Request, service: GroupingServiceDep, user: StatisticsUser) -> Response:
    selection, lines = await _export(request, service, user, "csv")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows(lines)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(selection, "csv")}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/staff/statistics.xlsx")
async def statistics_xlsx(request: Request, service: GroupingServiceDep, user: StatisticsUser) -> Response:
    from openpyxl import Workbook  # only here: the one page that writes spreadsheets

    selection, lines = await _export(request, service, user, "xlsx")
    t = STATISTICS_TEXTS[selection.language]
    book = Workbook()
    sheet = book.active
    sheet.title = t["sheet"]
    for line in lines:
        # "<5" goes in as text: a spreadsheet must not be able to sum or chart a hidden count.
        sheet.append(line)
    sheet.append([])
    sheet.append([t["hidden_note"]])
    sheet.column_dimensions["A"].width = 32
    out = io.BytesIO()
    book.save(out)
    return Response(
        out.getvalue(),
        media_type=XLSX,
        headers={
            "Content-Disposition": f'attachment; filename="{_filename(selection, "xlsx")}"',
            "Cache-Control": "no-store",
        },
    )
