"""Calendar's staff pages (venues and starters) in the reader's language: bokmål by default, nynorsk and
English by `?lang=`, with `<html lang>` to match; a form's confirmation comes back in the same language."""

from __future__ import annotations

import httpx
import pytest

from services.calendar.app import create_app
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
            yield http


async def test_the_venues_page_is_in_bokmal_nynorsk_or_english(client):
    page = await client.get("/staff/venues")
    assert page.status_code == 200 and '<html lang="nb">' in page.text
    assert "<h1>Møtesteder og igangsettere</h1>" in page.text

    page = await client.get("/staff/venues", params={"lang": "nn"})
    assert '<html lang="nn">' in page.text and "<h1>Møtestader og igangsetjarar</h1>" in page.text
    assert "Registrer ein igangsetjar" in page.text

    page = await client.get("/staff/venues", params={"lang": "en"})
    assert '<html lang="en">' in page.text and "<h1>Venues and starters</h1>" in page.text


async def test_a_confirmation_comes_in_the_language_the_reader_chose(client):
    await client.get("/staff/venues", params={"lang": "en"})  # sets the cookie
    reply = await client.post(
        "/staff/starters",
        data={"first_name": "Siri", "email": "siri@example.org", "availability": "tue 17:00-21:00"},
    )
    assert reply.status_code == 303
    page = await client.get(reply.headers["location"])
    assert '<html lang="en">' in page.text and "Siri is registered." in page.text
