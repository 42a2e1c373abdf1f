"""The statistics page and its exports against a seeded database: the totals equal the counts in the
database, the XLSX opens with openpyxl and holds no count under 5 as a number, staff see only their own
district and the national coordinator every district; each export is audited (issue 21, item 7)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, insert, select

from services.grouping.app import create_app
from services.grouping.models import attendance, audit_log, groups, memberships, pool, withdrawals
from services.grouping.statistics import note_withdrawal
from shared.auth import issue_staff_token
from tests.support import running

pytestmark = pytest.mark.integration

REGISTERED = datetime(2025, 1, 10, 9, tzinfo=UTC)
FORMED = datetime(2025, 2, 1, tzinfo=UTC)
STARTED = datetime(2025, 2, 20, tzinfo=UTC)


def _person(district: str, municipality: str, status: str = "waiting", days: int = 0) -> dict:
    return {
        "participant_id": uuid.uuid4(),
        "district": district,
        "municipality": municipality,
        "birth_date": date(1980, 1, 1),
        "gender": "female",
        "topic": "grief",
        "composition": "any",
        "format": "in_person",
        "availability": ["tue_evening"],
        "single_gender": False,
        "registered_at": REGISTERED + timedelta(days=days),
        "status": status,
    }


def _group(district: str, *, started: bool = True, closed_after_days: int | None = None) -> dict:
    return {
        "group_id": uuid.uuid4(),
        "district": district,
        "slot": "tue_evening",
        "format": "in_person",
        "status": "ended" if closed_after_days else ("started" if started else "proposed"),
        "topics": ["grief"],
        "municipalities": ["1804" if district == "nord" else "0301"],
        "formed_at": FORMED,
        "started_at": STARTED if started else None,
        "closed_at": STARTED + timedelta(days=closed_after_days) if closed_after_days else None,
    }


async def _seed(service) -> None:
    """Nord: 12 people in Bodø (7 placed), 3 in Saltdal, 2 who withdrew; 7 groups (6 started, one closed
    after 40 days); 6 absences. Oslo og Øst: 6 people and 5 groups, none of which nord's staff may see."""
    placed = [_person("nord", "1804", "member", days=i) for i in range(7)]
    everyone = [
        *placed,
        *(_person("nord", "1804", days=i) for i in range(5)),
        *(_person("nord", "1840") for _ in range(3)),
        *(_person("oslo-ost", "0301") for _ in range(6)),
    ]
    leaving = [_person("nord", "1804") for _ in range(2)]
    nord_groups = [_group("nord"), *(_group("nord") for _ in range(4)), _group("nord", closed_after_days=40)]
    nord_groups.append(_group("nord", started=False))
    async with service.sessions() as session, session.begin():
        await session.execute(insert(pool), [*everyone, *leaving])
        await session.execute(insert(groups), [*nord_groups, *(_group("oslo-ost") for _ in range(5))])
        first = nord_groups[0]["group_id"]
        await session.execute(
            insert(memberships),
            [
                {"group_id": first, "participant_id": p["participant_id"], "status": "accepted"}
                for p in placed
            ],
        )
        await session.execute(
            insert(attendance),
            [
                {
                    "group_id": first,
                    "participant_id": placed[i]["participant_id"],
                    "absent": True,
                    "meeting_start": STARTED + timedelta(days=7 * (i + 1)),
                }
                for i in range(6)
            ],
        )
        # Two people withdraw: their pool rows go, an anonymous trace stays.
        for person in leaving:
            await note_withdrawal(session, person["participant_id"])
            await session.execute(pool.delete().where(pool.c.participant_id == person["participant_id"]))


def _token(settings, subject: str, district: str, roles: list[str]) -> str:
    return issue_staff_token(settings.keyring(), subject, district, roles)


async def test_statistics_exports_match_the_database_and_hide_small_counts(settings):
    app = create_app(settings)
    service = app.state.service
    async with running(service):
        await _seed(service)
        async with service.sessions() as session:
            in_db = {
                "registrations": await session.scalar(
                    select(func.count()).select_from(pool).where(pool.c.district == "nord")
                )
                + await session.scalar(select(func.count()).select_from(withdrawals)),
                "groups_formed": await session.scalar(
                    select(func.count()).select_from(groups).where(groups.c.district == "nord")
                ),
                "absences": await session.scalar(select(func.count()).select_from(attendance)),
            }
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://grouping.test") as http:
            http.cookies.set("staff_token", _token(settings, "ane", "nord", ["staff"]))
            page = await http.get("/staff/statistics?by=municipality&year=2025&lang=en")
            assert page.status_code == 200
            assert "Bodø" in page.text and "Saltdal" in page.text
            assert "Oslo" not in page.text.split('id="statistics"')[1]
            # Every registration is Bodø's or Saltdal's: Bodø's 14 and the total 17 would give Saltdal's
            # "<5" away, so Bodø's is hidden too, and no chart of it is drawn (complementary suppression).
            bodo = page.text.split('data-key="1804"')[1].split("</tr>")[0]
            assert '<td class="num">:</td>' in bodo and "14" not in bodo
            by_quarter = await http.get("/staff/statistics?by=quarter&year=2025&lang=en")
            assert "<svg" in by_quarter.text  # one quarter: nothing to hide, its chart is drawn

            exported = await http.get("/staff/statistics.csv?by=municipality&year=2025&lang=en")
            assert exported.status_code == 200
            lines = list(csv.reader(io.StringIO(exported.text)))
            header, total = lines[0], lines[-1]
            totals = dict(zip(header, total, strict=True))
            assert totals["Registrations"] == str(in_db["registrations"]) == "17"
            assert totals["Groups formed"] == str(in_db["groups_formed"]) == "7"
            assert totals["Absences reported"] == str(in_db["absences"]) == "6"
            assert totals["Placed in a group"] == "7" and totals["Groups started"] == "6"
            assert totals["Withdrawals"] == "<5"
            # Bodø's 5 groups still meeting and a total of 5 would say Saltdal has none: both hidden.
            assert totals["Still meeting after 3 months"] == ":"
            saltdal = next(line for line in lines if line[1] == "1840")
            assert saltdal[2] == "<5"  # three people in Saltdal: not shown as a number
            bodo = next(line for line in lines if line[1] == "1804")
            assert bodo[2] == ":"  # nor as the total less Bodø's

            workbook = await http.get("/staff/statistics.xlsx?by=municipality&year=2025&lang=nb")
            assert workbook.status_code == 200
            sheet = load_workbook(io.BytesIO(workbook.content)).active
            cells = [cell.value for row in sheet.iter_rows() for cell in row if cell.value is not None]
            numbers = [v for v in cells if isinstance(v, (int, float))]
            assert numbers and all(v >= 5 for v in numbers), numbers
            assert "<5" in cells and 17 in numbers

            # Another district's figures answer 404 to nord's staff.
            assert (await http.get("/staff/statistics?district=oslo-ost")).status_code == 404

            http.cookies.set("staff_token", _token(settings, "nina", "", ["national"]))
            national = await http.get("/staff/statistics.csv?district=all&by=district&year=2025&lang=en")
            assert national.status_code == 200
            by_district = {line[1]: line for line in csv.reader(io.StringIO(national.text))}
            assert by_district["nord"][2] == "17" and by_district["oslo-ost"][2] == "6"

            http.cookies.set("staff_token", _token(settings, "per", "nord", ["starter"]))
            assert (await http.get("/staff/statistics")).status_code == 403

        async with service.sessions() as session:
            entries = (await session.execute(select(audit_log).order_by(audit_log.c.id))).all()
    assert [(e.actor, e.role, e.scope, e.action, e.district) for e in entries] == [
        ("ane", "staff", "district:nord", "statistics_exported_csv", "nord"),
        ("ane", "staff", "district:nord", "statistics_exported_xlsx", "nord"),
        ("nina", "national", "national", "statistics_exported_csv", None),
    ]
