"""A contact point keeps the venues of its municipalities: sees them, registers one (in the municipality's
district, so the district office plans with it), edits one; another municipality's contact point sees
none of them and gets 404 for each; district office staff get 403, no session is sent to sign in."""

from __future__ import annotations

import uuid
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import insert, select

from services.calendar.app import create_app
from services.calendar.models import venues
from tests.support import running
from tests.support.contact_point_matrix import (
    CONTACT_POINT,
    OTHER_CONTACT_POINT,
    VENUE_FORM,
    case_id,
    cases_of,
    session_cookie,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def calendar(settings):
    app = create_app(settings)
    async with running(app.state.service):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://calendar.test") as http:
            http.service = app.state.service
            yield http


async def a_venue(service, municipality: str = "1804", name: str = "Biblioteket") -> uuid.UUID:
    venue_id = uuid.uuid4()
    async with service.sessions() as session, session.begin():
        await session.execute(
            insert(venues).values(
                id=venue_id,
                municipality=municipality,
                district="nord",
                name=name,
                address="Torget 1",
                kind="library",
                capacity=10,
                accessible=True,
                opening_hours={"tue": [["17:00", "21:00"]]},
                blackout_dates=[],
            )
        )
    return venue_id


async def venue_rows(service) -> list:
    async with service.sessions() as session:
        return list((await session.execute(select(venues).order_by(venues.c.name))).all())


def as_role(client, settings, role: str):
    client.cookies.clear()
    cookie = session_cookie(settings.keyring(), role)
    if cookie:
        client.cookies.set("staff_token", cookie)
    return client


@pytest.mark.parametrize(("case", "role"), cases_of("calendar"), ids=case_id)
async def test_each_route_answers_each_role_as_the_matrix_says(calendar, settings, case, role):
    venue_id = await a_venue(calendar.service)
    as_role(calendar, settings, role)
    response = await calendar.request(case.method, case.url(venue_id=str(venue_id)), data=case.form or None)
    assert response.status_code == case.expected[role], response.text[:500]
    rows = await venue_rows(calendar.service)
    if role == CONTACT_POINT and case.method == "POST":
        assert "Frivilligsentralen" in [r.name for r in rows]
    else:  # nobody else changed or added anything
        assert [(r.name, r.address) for r in rows] == [("Biblioteket", "Torget 1")]


async def test_a_contact_point_registers_and_edits_the_venues_of_its_municipalities(calendar, settings):
    theirs = await a_venue(calendar.service, "1833", "Rana bibliotek")
    as_role(calendar, settings, CONTACT_POINT)
    page = await calendar.get("/contact/venues")
    assert page.status_code == 200 and "Rana bibliotek" not in page.text
    assert '<option value="1804">Bodø</option>' in page.text and 'value="1833"' not in page.text

    added = await calendar.post("/contact/venues", data=VENUE_FORM)
    assert added.status_code == 303
    assert parse_qs(urlsplit(added.headers["location"]).query)["done"] == [
        "Frivilligsentralen er registrert."
    ]
    (venue,) = [r for r in await venue_rows(calendar.service) if r.name == "Frivilligsentralen"]
    assert (venue.municipality, venue.district, venue.capacity) == ("1804", "nord", 12)

    edited = await calendar.post(
        f"/contact/venues/{venue.id}", data={**VENUE_FORM, "capacity": "15", "active": "yes"}
    )
    assert edited.status_code == 303
    (venue,) = [r for r in await venue_rows(calendar.service) if r.name == "Frivilligsentralen"]
    assert venue.capacity == 15

    # Not in Rana: registering there is refused, its venue is a 404 to read and to change.
    refused = await calendar.post("/contact/venues", data={**VENUE_FORM, "municipality": "1833", "name": "X"})
    assert (
        "Velg en av kommunene du er kontaktpunkt for."
        in parse_qs(urlsplit(refused.headers["location"]).query)["error"][0]
    )
    assert (await calendar.get(f"/contact/venues/{theirs}")).status_code == 404
    assert (await calendar.post(f"/contact/venues/{theirs}", data=VENUE_FORM)).status_code == 404

    # A form with mistakes comes back with the same words as the district office's.
    wrong = await calendar.post("/contact/venues", data={**VENUE_FORM, "capacity": "0"})
    assert "error" in parse_qs(urlsplit(wrong.headers["location"]).query)

    english = await calendar.get("/contact/venues", params={"lang": "en"})
    assert '<html lang="en">' in english.text and "<h1>Venues in your municipalities</h1>" in english.text
    nynorsk = await calendar.get(f"/contact/venues/{venue.id}", params={"lang": "nn"})
    assert '<html lang="nn">' in nynorsk.text and "Lagre" in nynorsk.text

    as_role(calendar, settings, OTHER_CONTACT_POINT)
    other = await calendar.get("/contact/venues")
    assert "Rana bibliotek" in other.text and "Frivilligsentralen" not in other.text
