"""School breaks (issue 21, item 6): a district's groups skip its county's winter break, a group that
chose to meet does not, and staff edits of the breaks and of a group's choice are audited."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from calendar_harness import (
    EventTap,
    add_starter,
    add_venue,
    calendar_settings,
    formed_group,
    new_service,
    publish_as,
)
from sqlalchemy import select

from services.calendar.break_pages import break_pages
from services.calendar.breaks import group_breaks
from services.calendar.models import audit_log, groups
from services.calendar.plan import meetings_between
from services.calendar.store import load_series
from shared.auth import issue_staff_token
from tests.support import running

pytestmark = pytest.mark.integration

# Scheduling as if on this day: the first Tuesday meetings fall in January 2027, before Nordland's winter
# break (shipped: week 9, 1-5 March 2027) and the Easter break (22-29 March 2027).
NOW = datetime(2027, 1, 11, 9, tzinfo=UTC)
WINTER_TUESDAY = date(2027, 3, 2)
EASTER_TUESDAY = date(2027, 3, 23)


async def _meeting_days(service, group_id: uuid.UUID) -> set[date]:
    config = service.calendar
    async with service.sessions() as session:
        segments = await load_series(session, group_id, await group_breaks(session, config, group_id))
    start, end = datetime(2027, 2, 1, tzinfo=UTC), datetime(2027, 4, 30, tzinfo=UTC)
    return {meeting.start.date() for meeting in meetings_between(segments, start, end, config)}


async def test_groups_skip_their_countys_breaks_unless_they_chose_to_meet_and_edits_are_audited(settings):
    settings = calendar_settings(settings)
    service = new_service(settings)
    service.jobs.clock = lambda: NOW
    bodo = formed_group(members=5)  # Bodø: Nordland (county 18), district nord
    async with EventTap(settings) as tap, running(service):
        await add_venue(service, "Stormen bibliotek")
        await add_starter(service)
        await publish_as(settings, "grouping", bodo)
        await tap.wait_for("meeting.scheduled.v1", group_id=bodo.group_id)

        days = await _meeting_days(service, bodo.group_id)
        assert date(2027, 2, 23) in days and date(2027, 3, 9) in days
        assert WINTER_TUESDAY not in days and EASTER_TUESDAY not in days

        app = service.http_app(break_pages)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://calendar.test") as http:
            http.cookies.set("staff_token", issue_staff_token(settings.keyring(), "ane", "nord", ["staff"]))
            page = await http.get("/staff/breaks?lang=en")
            assert page.status_code == 200 and "Nordland" in page.text and "Winter break" in page.text
            assert "Oslo" not in page.text  # only the district's counties

            # Staff move Nordland's winter break a week later (the county published another week).
            key = "shipped:18:2026-27:winter"
            moved = await http.post(
                f"/staff/breaks/{key}/change?lang=en",
                data={
                    "first": "08.03.2027",
                    "last": "2027-03-12",
                    "reason": "Nordland fylkeskommune's skolerute",
                },
            )
            assert moved.status_code == 303 and "changed" in moved.headers["location"]
            days = await _meeting_days(service, bodo.group_id)
            assert WINTER_TUESDAY in days and date(2027, 3, 9) not in days

            refused = await http.post(
                "/staff/breaks?lang=nb",
                data={
                    "county": "03",
                    "kind": "winter",
                    "first": "2027-02-22",
                    "last": "2027-02-26",
                    "reason": "x",
                },
            )
            assert "Velg+et+fylke" in refused.headers["location"]  # Oslo is not in nord: refused in bokmål

            # The group chose to meet during breaks: Easter and the winter break are meeting days again.
            chose = await http.post(
                f"/staff/breaks/groups/{bodo.group_id}?lang=en",
                data={"meet": "yes", "reason": "the group decided at its meeting"},
            )
            assert chose.status_code == 303
            days = await _meeting_days(service, bodo.group_id)
            assert date(2027, 3, 9) in days and EASTER_TUESDAY in days

            # Another district's staff cannot change nord's group or see its breaks.
            http.cookies.set(
                "staff_token", issue_staff_token(settings.keyring(), "ola", "oslo-ost", ["staff"])
            )
            other = await http.post(
                f"/staff/breaks/groups/{bodo.group_id}", data={"meet": "no", "reason": "not mine"}
            )
            assert other.status_code == 404

        async with service.sessions() as session:
            meets = await session.scalar(
                select(groups.c.meet_during_breaks).where(groups.c.group_id == bodo.group_id)
            )
            entries = (await session.execute(select(audit_log).order_by(audit_log.c.id))).all()
    assert meets is True
    assert [(e.actor, e.action, e.district) for e in entries] == [
        ("ane", "school_break_changed", "nord"),
        ("ane", "group_meets_during_breaks", "nord"),
    ]
    assert "2027-03-01–2027-03-05 → 2027-03-08–2027-03-12" in entries[0].detail
    assert "skolerute" in entries[0].detail


async def test_a_second_group_in_another_county_of_the_district_keeps_its_own_breaks(settings):
    """Troms (Tromsø) and Nordland (Bodø) are both in nord, with different winter breaks in 2027."""
    service = new_service(calendar_settings(settings))
    tromso = formed_group(members=5, municipalities=["5501"] * 5)
    async with service.sessions() as session, session.begin():
        await session.execute(
            groups.insert().values(
                group_id=tromso.group_id,
                district="nord",
                slot="mon_evening",
                format="in_person",
                municipalities=["5501"],
                status="scheduled",
            )
        )
    async with service.sessions() as session:
        ranges = await group_breaks(session, service.calendar, tromso.group_id)
    winter = [r for r in ranges if r.name.startswith("winter")]
    assert [(r.first, r.last) for r in winter if r.first.year == 2027] == [
        (date(2027, 2, 22), date(2027, 2, 26))
    ]
    assert all(r.name.endswith("55") for r in ranges)  # Troms only, not Nordland's or Finnmark's
    assert timedelta(0) <= winter[0].last - winter[0].first
