"""What would get a waiting person a group sooner, on their status page in a real headless Chromium: the options
grouping found are shown in the reader's language, each a button that works by keyboard, and taking one
changes the registration as the person's own correction (registration.changed.v1 for grouping)."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from playwright.async_api import expect
from sqlalchemy import select, text

from services.registration import waiting_options
from services.registration.app import create_app, create_service
from services.registration.models import registrations
from shared.clock import norway_today

pytestmark = pytest.mark.e2e

OPTIONS = [
    {"code": "more_times", "params": {"slots": ["wed_evening", "thu_evening"]}},
    {"code": "digital", "params": {}},
    {"code": "neighbour_municipality", "params": {"municipality": "1840"}},
]


@pytest.fixture
async def base_url(settings, serve):
    async with serve(create_app(settings)) as url:
        yield url


async def sign_up(page, base_url: str) -> str:
    """Through the form, as a person would; the status page's URL."""
    await page.goto(base_url + "/")
    await page.get_by_label("Navn", exact=True).fill("Kari Venter")
    await page.get_by_label("E-post").fill("kari.venter@example.org")
    await page.get_by_label("Fødselsdato").fill(
        (norway_today() - timedelta(days=365 * 45)).strftime("%d.%m.%Y")
    )
    await page.get_by_label("Kvinne").check()
    await page.get_by_label("Kommunen du bor i").select_option(label="Bodø")
    await page.get_by_label("Hva ønsker du å jobbe med?").select_option("grief")
    await page.get_by_label("Fysisk, på et møtested i nærheten").check()
    await page.get_by_label("Tirsdag, kveld").check()
    await page.get_by_label(re.compile("^Jeg samtykker")).check()
    await page.get_by_label("Navn", exact=True).press("Enter")
    await expect(page).to_have_url(re.compile(r"/status/[^/?]+\?done=registered$"))
    return page.url.split("?")[0]


async def grouping_found_options(settings) -> None:
    """As registration's consumer stores participant.waiting_options_changed.v1 from grouping."""
    service = create_service(settings)
    async with service.sessions() as session, session.begin():
        participant_id = await session.scalar(select(registrations.c.participant_id))
        await waiting_options.store(session, SimpleNamespace(participant_id=participant_id, options=OPTIONS))
    await service.engine.dispose()


async def test_the_options_are_shown_in_the_readers_language_and_taken_with_one_keyboard_press(
    page, base_url, settings, screenshot
):
    status_url = await sign_up(page, base_url)
    await grouping_found_options(settings)

    await page.goto(status_url)
    options = page.locator("#options")
    await expect(options.get_by_role("heading", level=2)).to_have_text("Dette kan gi deg en gruppe raskere")
    await expect(options).to_contain_text("onsdager på kvelden og torsdager på kvelden")
    await expect(options).to_contain_text("Saltdal, en nabokommune")

    await page.goto(status_url + "?lang=en")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(options.get_by_role("heading", level=2)).to_have_text("What would get you a group sooner")
    await screenshot(page, "registration-status-options-en")
    button = options.get_by_role("button", name="Yes, digital groups too")
    await button.focus()
    await page.keyboard.press("Enter")

    await expect(page.get_by_role("status")).to_contain_text("Your choice is saved.")
    await expect(page.locator("#options")).to_have_count(0)  # worked out for the old details: gone
    service = create_service(settings)
    async with service.sessions() as session:
        stored = (
            await session.execute(select(registrations.c.format, registrations.c.waiting_options))
        ).one()
        changed = await session.scalar(
            text("SELECT count(*) FROM registration.outbox WHERE event_type = 'registration.changed.v1'")
        )
    await service.engine.dispose()
    assert stored.format == "any" and stored.waiting_options is None
    assert changed == 1
