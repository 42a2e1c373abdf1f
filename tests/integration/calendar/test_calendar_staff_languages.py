"""Calendar's staff pages (venues and starters) in the reader's language: bokmål by default, nynorsk and
English by `?lang=`, with `<html lang>` to match; a form's confirmation comes back in the same language."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import insert

from services.calendar.app import create_app
from services.calendar.models import groups
from shared.auth import issue_staff_token
from tests.support import running

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(settings):
    app = create_app(settings)
    async with running(app.state.service):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://calendar.test") as http:
            http.cookies.set("staff_token", issue_staff_token(settings.keyring(), "ane", "nord", ["staff"]))
            yield http, app.state.service


async def test_the_venues_page_is_in_bokmal_nynorsk_or_english(client):
    client, _ = client
    page = await client.get("/staff/venues")
    assert page.status_code == 200 and '<html lang="nb">' in page.text
    assert "<h1>Møtesteder og igangsettere</h1>" in page.text

    page = await client.get("/staff/venues", params={"lang": "nn"})
    assert '<html lang="nn">' in page.text and "<h1>Møtestader og igangsetjarar</h1>" in page.text
    assert "Registrer ein igangsetjar" in page.text

    page = await client.get("/staff/venues", params={"lang": "en"})
    assert '<html lang="en">' in page.text and "<h1>Venues and starters</h1>" in page.text


async def test_a_confirmation_comes_in_the_language_the_reader_chose(client):
    client, _ = client
    await client.get("/staff/venues", params={"lang": "en"})  # sets the cookie
    reply = await client.post(
        "/staff/starters",
        data={"first_name": "Siri", "email": "siri@example.org", "availability": "tue 17:00-21:00"},
    )
    assert reply.status_code == 303
    page = await client.get(reply.headers["location"])
    assert '<html lang="en">' in page.text and "Siri is registered." in page.text


async def _failed_group(service, reason: str, code: dict | None) -> uuid.UUID:
    group_id = uuid.uuid4()
    async with service.transaction() as uow:
        await uow.session.execute(
            insert(groups).values(
                group_id=group_id,
                district="nord",
                slot="tue_evening",
                format="in_person",
                municipalities=["1804"],
                status="failed",
                failure_reason=reason,
                failure_code=code,
            )
        )
    return group_id


async def test_why_scheduling_failed_is_in_the_readers_language_and_old_rows_as_stored(client):
    client, service = client
    words = "no venue with room for 7 in Bodø or neighbours"
    coded = {"code": "no_venue_with_room", "params": {"accessible": False, "size": 7, "places": "Bodø"}}
    group_id = await _failed_group(service, words, coded)
    page = await client.get(f"/staff/groups/{group_id}", params={"lang": "nb"})
    assert (
        "ingen møtesteder med plass til 7 i Bodø eller nabokommunene" in page.text and words not in page.text
    )
    page = await client.get(f"/staff/groups/{group_id}", params={"lang": "nn"})
    assert "ingen møtestader med plass til 7 i Bodø eller nabokommunane" in page.text
    assert words in (await client.get(f"/staff/groups/{group_id}", params={"lang": "en"})).text
    # The JSON API says what it always said: the stored English words.
    bearer = {"Authorization": f"Bearer {client.cookies['staff_token']}"}
    reply = await client.get(f"/api/v1/staff/groups/{group_id}", headers=bearer)
    assert reply.json()["failure_reason"] == words, reply.text

    old = await _failed_group(service, "no venue is registered in Bodø or neighbouring municipalities", None)
    page = await client.get(f"/staff/groups/{old}", params={"lang": "nb"})
    assert "no venue is registered in Bodø or neighbouring municipalities" in page.text
