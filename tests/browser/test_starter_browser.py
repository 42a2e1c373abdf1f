"""The starter's part in real headless Chromium (issue 22, item 6), signed in through the real OpenID
provider's own login page: the starter Ola (demo user `igangsetter`) sees its group, the meetings it leads
and a working calendar link, in bokmål and in English, and says it cannot come to one meeting; the district
office of nord, also through the provider, assigns another starter for that meeting with a reason, and Ola
no longer has it. The four services run as processes with the development sign-in off."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from icalendar import Calendar
from playwright.async_api import expect
from sqlalchemy.dialects.postgresql import insert

from services.calendar.models import starters
from services.calendar.registry import hours_to_json, parse_hours_text
from shared.db import create_engine, session_factory
from tests.browser.test_role_sign_in_browser import ola_gets_a_group, sign_in
from tests.support.oidc import private_provider
from tests.support.system import running_system

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
LANDING = 30_000  # ms: the sign-in hops through the provider and two services on a busy machine


async def add_randi(settings) -> None:
    """A second starter of nord, free on Tuesday evenings, to stand in for Ola."""
    engine = create_engine(settings.database_url, pool_size=1)
    try:
        async with session_factory(engine)() as session, session.begin():
            await session.execute(
                insert(starters).values(
                    id=uuid.uuid4(),
                    district="nord",
                    first_name="Randi",
                    email="igangsetter.randi@example.org",
                    availability=hours_to_json(parse_hours_text("tue 16:00-22:00")),
                )
            )
    finally:
        await engine.dispose()


async def confirmed_meetings(url: str) -> int:
    async with httpx.AsyncClient(timeout=20) as http:
        reply = await http.get(url)
    assert reply.status_code == 200 and reply.headers["content-type"].startswith("text/calendar")
    return sum(str(e["status"]) == "CONFIRMED" for e in Calendar.from_ical(reply.content).walk("VEVENT"))


async def test_a_starter_uses_its_pages_in_bokmal_and_english_and_the_office_assigns_a_replacement(
    settings, browser, tmp_path
):
    with private_provider(tmp_path / "oidc") as provider:
        env = {
            "OIDC_ISSUER": provider.issuer,
            "OIDC_CLIENT_ID": "selvhjelp-console",
            "OIDC_CLIENT_SECRET": "local-console-secret",
            "OIDC_PROVIDER_NAME": "lokal testinnlogging",
            "DEV_SIGN_IN": "false",
            "DISTRICT_OFFICE_EMAILS": '{"nord": "kontor.nord@example.org"}',
        }
        with running_system(settings, tmp_path / "logs", env) as system:
            grouping, calendar = system.url("grouping"), system.url("calendar")
            await ola_gets_a_group(system, settings)
            await add_randi(settings)

            # Bokmål: the group, the three meetings Ola leads, the personal calendar link.
            page = await sign_in(browser, grouping + "/staff/sign-in", "igangsetter", "starter-demo-1")
            await expect(page).to_have_url(calendar + "/starter", timeout=LANDING)
            await expect(page.locator("html")).to_have_attribute("lang", "nb")
            await expect(page.get_by_role("heading", level=1)).to_have_text("Mine grupper")
            group = page.locator(".starter-group")
            await expect(group).to_contain_text("Bodø bibliotek")
            await expect(group.locator(".starter-meetings li")).to_have_count(3)
            feed = await page.locator("#starter-feed").get_attribute("href")
            assert feed and await confirmed_meetings(feed) == 3

            # English, chosen once and remembered: the same page and "I cannot come" by keyboard.
            await page.goto(calendar + "/starter?lang=en")
            await expect(page.locator("html")).to_have_attribute("lang", "en")
            await expect(page.get_by_role("heading", level=1)).to_have_text("My groups")
            await expect(group).to_contain_text("6 members")
            button = group.get_by_role("button", name="I cannot come").nth(1)
            await button.focus()
            await page.keyboard.press("Enter")
            await expect(page.get_by_role("status")).to_contain_text("The district office has been told")
            await expect(group.locator(".reported")).to_have_count(1)
            assert await confirmed_meetings(feed) == 2

            # The district office assigns Randi for that meeting; a missing reason is refused clearly.
            office = await sign_in(browser, calendar + "/staff/replacements", "kontor.nord", "nord-demo-1")
            await expect(office).to_have_url(calendar + "/staff/replacements", timeout=LANDING)
            row = office.locator("#replacements tbody tr").first
            await expect(row).to_contain_text("Ola")
            await row.get_by_label("Velg igangsetter").select_option(label="Randi")
            await row.get_by_label("Begrunnelse (loggføres)").first.fill("Ola er bortreist")
            await row.get_by_role("button", name="Sett inn erstatter").click()
            await expect(office.get_by_role("status")).to_contain_text("Erstatteren er satt inn")
            await expect(office.locator("#replacements .replacement")).to_have_text("Randi")

            # Ola's page and feed no longer have that meeting.
            await page.reload()
            await expect(group.locator(".starter-meetings li")).to_have_count(2)
            await expect(group.locator(".reported")).to_have_count(0)
            assert await confirmed_meetings(feed) == 2
            assert re.search(r"/feeds/starters/[^/]+\.ics$", feed)
