"""A service's audit log in the staff console: `/staff/audit` (the reader's district, filtered, newest
first, up to 500 rows) and `/staff/audit.csv` (everything that matches, as a file). Registration and
grouping each serve theirs, with their own title, subject heading and file name."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from jinja2 import Environment
from sqlalchemy import Table

from shared.web import choose_language
from shared.web.dependencies import current_service
from shared.web.staff import STAFF_TEXTS, staff_page
from shared.web_auth import StaffPageUser

from . import AuditFilter, audit_actions, detail_columns, read_audit

# A spreadsheet takes a cell starting with one of these as a formula (CSV injection, ASVS 5.3.10); the
# audit log holds text staff typed (reasons), so such a cell gets a leading quote and is shown as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_ROWS = 100_000


def csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def audit_csv(rows: Sequence[Any], columns: Sequence[str], filename: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        values = row._mapping
        writer.writerow([csv_cell(values[c]) for c in columns])
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def shown_scope(scope: str | None, console: Mapping[str, str]) -> str:
    """An entry's scope as the page shows it: the district, the municipalities' numbers, or the country
    (the CSV keeps the stored form, `district:nord`, `municipalities:1804,1806`, `national`)."""
    if not scope:
        return ""
    if scope == "national":
        return console["audit_scope_national"]
    return scope.partition(":")[2].replace(",", ", ") or scope


def audit_pages(
    service: str, table: Table, environment: Environment, texts: Mapping[str, Mapping[str, str]]
) -> APIRouter:
    """The audit page and its CSV for `service`. `texts` are the service's staff words by language: the
    page takes its title and subject heading from their `audit_title` and `audit_subject`."""
    router = APIRouter(include_in_schema=False)
    details = detail_columns(table)
    # The file has every column but the id and the district (all rows are the reader's district).
    csv_columns = ("at", "actor", "role", "scope", "action", "subject_id", *details)

    @router.get("/staff/audit")
    async def audit_page(request: Request, user: StaffPageUser) -> Response:
        wanted = AuditFilter.from_request(request)
        async with current_service(request).sessions() as session:
            rows = await read_audit(session, table, user.district, wanted)
            actions = await audit_actions(session, table, user.district)
        language = choose_language(request)
        console = STAFF_TEXTS[language]
        shown = [
            {
                "at": r.at.astimezone().strftime("%d.%m.%Y %H:%M"),
                "actor": r.actor,
                "role": console.get(f"audit_role_{r.role}", r.role) if r.role else "",
                "scope": shown_scope(r.scope, console),
                "action": r.action,
                "subject": r.subject_id,
                "detail": " · ".join(v for v in (r._mapping[c] for c in details) if v),
            }
            for r in rows
        ]
        t = texts[language]
        return staff_page(
            environment,
            "staff/audit.html",
            request,
            user,
            f"audit-{service}",
            language=language,
            page_title=t["audit_title"],
            rows=shown,
            wanted=wanted,
            actions=actions,
            subject_label=t["audit_subject"],
            csv_url="/staff/audit.csv?" + wanted.query_string(),
        )

    @router.get("/staff/audit.csv")
    async def audit_export(request: Request, user: StaffPageUser) -> Response:
        async with current_service(request).sessions() as session:
            rows = await read_audit(
                session, table, user.district, AuditFilter.from_request(request), limit=CSV_ROWS
            )
        filename = f"{service}-audit-{user.district}-{date.today().isoformat()}.csv"
        return audit_csv(rows, csv_columns, filename)

    return router
