"""Grouping's staff console in the reader's language: bokmål by default, nynorsk and English by `?lang=`
(remembered in a cookie), with `<html lang>` and the console's navigation to match."""

from __future__ import annotations

import httpx
import pytest

from services.grouping.app import create_app
from shared.auth import issue_staff_token
from tests.support import running

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(settings):
    app = create_app(settings)
    async with running(app.state.service):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://grouping.test") as http:
            http.cookies.set("staff_token", issue_staff_token(settings.keyring(), "ane", "nord", ["staff"]))
            yield http


@pytest.mark.parametrize(
    ("path", "bokmal", "nynorsk", "english"),
    [
        ("/staff", "<h1>Oversikt</h1>", "Treng oppfølging", "<h1>Overview</h1>"),
        ("/staff/pool", "<h1>Venteliste</h1>", "Kva skal til", "<h1>Waiting list</h1>"),
        ("/staff/groups", "<h1>Grupper</h1>", "<h1>Grupper</h1>", "<h1>Groups</h1>"),
        (
            "/staff/audit",
            "<h1>Logg: grupper og venteliste</h1>",
            "Kven",
            "<h1>Log: groups and waiting list</h1>",
        ),
    ],
)
async def test_console_pages_are_in_bokmal_nynorsk_or_english(client, path, bokmal, nynorsk, english):
    page = await client.get(path)
    assert page.status_code == 200 and '<html lang="nb">' in page.text and bokmal in page.text

    page = await client.get(path, params={"lang": "nn"})
    assert '<html lang="nn">' in page.text and nynorsk in page.text
    assert "Møtestader og igangsetjarar" in page.text  # navigation
    assert page.cookies.get("lang") == "nn"

    page = await client.get(path, params={"lang": "en"})
    assert '<html lang="en">' in page.text and english in page.text and "Sign out" in page.text
    # The console spans four hosts: the navigation carries the chosen language along.
    assert "/staff/venues?lang=en" in page.text


async def test_a_chosen_language_is_remembered_and_the_sign_in_page_follows_it(client):
    await client.get("/staff", params={"lang": "en"})
    assert '<html lang="en">' in (await client.get("/staff/groups")).text
    sign_in = await client.get("/staff/sign-in", params={"lang": "nn"})
    assert (
        '<html lang="nn">' in sign_in.text and "Logg inn med innlogginga til organisasjonen" in sign_in.text
    )
