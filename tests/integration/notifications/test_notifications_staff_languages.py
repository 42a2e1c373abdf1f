"""Notifications' delivery log for staff in the reader's language: bokmål by default, nynorsk and English
by `?lang=`, with `<html lang>` to match."""

from __future__ import annotations

import httpx
import pytest

from services.notifications.app import create_app
from shared.auth import issue_staff_token
from tests.support import running

pytestmark = pytest.mark.integration


@pytest.fixture
async def client(settings):
    app = create_app(settings)
    async with running(app.state.service):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://notifications.test") as http:
            http.cookies.set("staff_token", issue_staff_token(settings.keyring(), "ane", "nord", ["staff"]))
            yield http


@pytest.mark.parametrize(
    ("language", "heading", "state"),
    [
        ("nb", "<h1>Meldinger</h1>", "Feilet (trenger en person)"),
        ("nn", "<h1>Meldingar</h1>", "Feila (treng ein person)"),
        ("en", "<h1>Messages</h1>", "Failed (needs a person)"),
    ],
)
async def test_the_delivery_log_is_in_the_chosen_language(client, language, heading, state):
    page = await client.get("/staff/deliveries", params={"lang": language})
    assert page.status_code == 200
    assert f'<html lang="{language}">' in page.text and heading in page.text and state in page.text
