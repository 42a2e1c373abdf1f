"""A starter's pages against real PostgreSQL and RabbitMQ: a group is formed and scheduled the ordinary way
(grouping's event, the calendar's scheduler) with the starter found by its e-mail (ADR 0014); the starter
sees its group and meetings, subscribes to them, says it cannot come, and the district office finds that on
its replacements page. Every route of the table in tests/support/role_routes.py, for every role and
without a session; another district's starter gets 404."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from calendar_harness import (
    BODO,
    OSLO_KOMMUNE,
    add_venue,
    calendar_settings,
    formed_group,
    publish_as,
    wait_until_decided,
)
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from services.calendar.app import create_app
from services.calendar.models import starter_bookings, starters
from services.calendar.registry import hours_to_json, parse_hours_text
from shared.auth import issue_staff_token
from shared.web_auth import STAFF_ROLE, STARTER_ROLE
from tests.support import running
from tests.support.role_routes import ALL_ROLES, filled, routes_of

pytestmark = pytest.mark.integration

OLA = "Igangsetter.Ola@example.org"  # mixed case: the match ignores case
AISHA = "aisha@example.org"


async def add_starter(service, email: str, district: str) -> uuid.UUID:
    starter_id = uuid.uuid4()
    async with service.sessions() as session, session.begin():
        await session.execute(
            insert(starters).values(
                id=starter_id,
                district=district,
                first_name=email.split("@")[0].split(".")[-1].title(),
                email=email,
                availability=hours_to_json(parse_hours_text("tue 16:00-22:00")),
            )
        )
    return starter_id


async def scheduled_group(service, settings, district: str, municipality: str) -> uuid.UUID:
    group = formed_group(members=6, municipalities=[municipality] * 6, district=district)
    await publish_as(settings, "grouping", group)
    assert await wait_until_decided(service, group.group_id) == "scheduled"
    return group.group_id


async def first_meeting(service, group_id: uuid.UUID) -> str:
    async with service.sessions() as session:
        during = await session.scalar(
            select(starter_bookings.c.during)
            .where(starter_bookings.c.group_id == group_id)
            .order_by(starter_bookings.c.during)
        )
    return during.lower.isoformat()


def token(settings, role: str, district: str = "nord", email: str = "") -> str:
    return issue_staff_token(settings.keyring(), f"{role}-{district}", district, [role], email=email)


@pytest.fixture
async def calendar(settings):
    """The calendar app with a scheduled group for Ola in nord and one for Aisha in oslo-ost."""
    settings = calendar_settings(settings)
    app = create_app(settings)
    service = app.state.service
    async with running(service):
        await add_venue(service, "Bodø bibliotek", BODO)
        await add_venue(service, "Tøyen bibliotek", OSLO_KOMMUNE)
        await add_starter(service, OLA, "nord")
        await add_starter(service, AISHA, "oslo-ost")
        nord_group = await scheduled_group(service, settings, "nord", BODO)
        oslo_group = await scheduled_group(service, settings, "oslo-ost", OSLO_KOMMUNE)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://calendar.test") as http:
            yield {
                "http": http,
                "service": service,
                "settings": settings,
                "nord_group": nord_group,
                "oslo_group": oslo_group,
                "nord_meeting": await first_meeting(service, nord_group),
                "oslo_meeting": await first_meeting(service, oslo_group),
            }


def as_user(http: httpx.AsyncClient, value: str | None) -> None:
    http.cookies.clear()
    if value:
        http.cookies.set("staff_token", value)


async def test_a_starter_sees_its_group_and_meetings_and_subscribes_to_them(calendar):
    http, settings = calendar["http"], calendar["settings"]
    as_user(http, token(settings, STARTER_ROLE, email=OLA.lower()))
    page = await http.get("/starter")
    assert page.status_code == 200, page.text
    assert "Bodø bibliotek" in page.text and "Tøyen bibliotek" not in page.text  # its group only
    assert str(calendar["nord_group"])[:8] in page.text and str(calendar["oslo_group"])[:8] not in page.text
    assert "6 medlemmer" in page.text and "Navnene vises ikke før gruppen har startet." in page.text
    assert page.text.count("Jeg kan ikke komme") == 3  # the starter leads the first three meetings

    feed_url = re.search(r'id="starter-feed" href="([^"]+)"', page.text).group(1)
    feed = await http.get(httpx.URL(feed_url).path)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert len(events) == 3 and {str(e["class"]) for e in events} == {"PRIVATE"}
    assert all("Bodø bibliotek" in str(e["location"]) for e in events)
    # A forged or altered link is no calendar at all.
    assert (await http.get(httpx.URL(feed_url).path.replace(".ics", "x.ics"))).status_code == 404

    page = await http.get("/starter", params={"lang": "en"})
    assert '<html lang="en">' in page.text and "6 members" in page.text and "I cannot come" in page.text
    page = await http.get("/starter", params={"lang": "nn"})
    assert '<html lang="nn">' in page.text and "Eg kan ikkje kome" in page.text


async def test_i_cannot_come_reaches_the_district_office_which_marks_it_handled(calendar):
    http, settings = calendar["http"], calendar["settings"]
    group, meeting = calendar["nord_group"], calendar["nord_meeting"]
    as_user(http, token(settings, STARTER_ROLE, email=OLA.lower()))
    reply = await http.post(f"/starter/groups/{group}/cannot-come", data={"meeting_start": meeting})
    assert reply.status_code == 303
    page = await http.get(reply.headers["location"])
    assert "Distriktskontoret er varslet" in page.text and "Meldt forfall" in page.text
    assert page.text.count("Jeg kan ikke komme") == 2
    feed_url = re.search(r'id="starter-feed" href="([^"]+)"', page.text).group(1)
    events = Calendar.from_ical((await http.get(httpx.URL(feed_url).path)).content).walk("VEVENT")
    assert sorted(str(e["status"]) for e in events) == ["CANCELLED", "CONFIRMED", "CONFIRMED"]

    # The other district's office does not see it and cannot mark it.
    as_user(http, token(settings, STAFF_ROLE, district="oslo-ost"))
    assert "Ola" not in (await http.get("/staff/replacements")).text
    form = {"group_id": str(group), "meeting_start": meeting, "reason": "Randi tar det"}
    assert (await http.post("/staff/replacements/handled", data=form)).status_code == 404

    as_user(http, token(settings, STAFF_ROLE))
    page = await http.get("/staff/replacements")
    assert page.status_code == 200 and "Ola" in page.text and "Merk som ordnet" in page.text
    reply = await http.post("/staff/replacements/handled", data=form)
    assert reply.status_code == 303
    page = await http.get(reply.headers["location"])
    assert "Merket som ordnet." in page.text and "Merk som ordnet</button>" not in page.text


async def test_a_starter_of_another_district_or_address_finds_nothing_of_this_one(calendar):
    http, settings = calendar["http"], calendar["settings"]
    nord_form = {"meeting_start": calendar["nord_meeting"]}
    # Aisha (oslo-ost) at Ola's group: looks like no such meeting.
    as_user(http, token(settings, STARTER_ROLE, district="oslo-ost", email=AISHA))
    reply = await http.post(f"/starter/groups/{calendar['nord_group']}/cannot-come", data=nord_form)
    assert reply.status_code == 404
    # Ola's own address, but signed in for another district: not the calendar's starter there.
    as_user(http, token(settings, STARTER_ROLE, district="oslo-ost", email=OLA.lower()))
    page = await http.get("/starter")
    assert 'id="not-registered"' in page.text and "Bodø bibliotek" not in page.text
    # No e-mail in the sign-in at all: nobody.
    as_user(http, token(settings, STARTER_ROLE))
    assert 'id="not-registered"' in (await http.get("/starter")).text
    # Ola at Aisha's group, and at a meeting time that is not one of its own.
    as_user(http, token(settings, STARTER_ROLE, email=OLA.lower()))
    oslo_form = {"meeting_start": calendar["oslo_meeting"]}
    reply = await http.post(f"/starter/groups/{calendar['oslo_group']}/cannot-come", data=oslo_form)
    assert reply.status_code == 404
    wrong_time = {"meeting_start": "2031-01-07T17:00:00+01:00"}
    reply = await http.post(f"/starter/groups/{calendar['nord_group']}/cannot-come", data=wrong_time)
    assert reply.status_code == 404


async def test_every_calendar_role_route_for_every_role_and_without_a_session(calendar):
    http, settings = calendar["http"], calendar["settings"]
    values = {"group_id": str(calendar["nord_group"]), "meeting_start": calendar["nord_meeting"]}
    for route in routes_of("calendar"):
        for role in (*ALL_ROLES, None):
            email = OLA.lower() if role == STARTER_ROLE else ""
            as_user(http, token(settings, role, email=email) if role else None)
            form = {key: filled(value, values) for key, value in route.form.items()}
            reply = await http.request(route.method, filled(route.path, values), data=form or None)
            assert reply.status_code == route.denied_status(role), (route.path, role, reply.text[:200])
            if role is None:
                assert "/staff/sign-in" in reply.headers["location"]
