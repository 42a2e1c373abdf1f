"""The members' decision pages in a real headless Chromium (issue 22): a member of a group below four votes
through their link and changes the vote; a member proposes every other week (the keyboard only), and a
pause with its dates the wrong way round shows the error at the field. In bokmål and English."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from playwright.async_api import expect

from services.grouping.app import create_app
from tests.support.decisions import SetClock, a_running_group, decision_link

pytestmark = pytest.mark.e2e

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def grouping(settings, serve):
    app = create_app(settings.model_copy(update={"decision_poll_seconds": 0.2}))
    app.state.service.clock = SetClock(MONDAY)
    async with serve(app) as url:
        yield url, app.state.service


async def test_a_member_votes_on_what_a_group_below_four_does_and_changes_the_vote(
    page, grouping, settings, screenshot
):
    base_url, service = grouping
    _, members = await a_running_group(service, 3)
    await service.decisions.run_once()

    await page.goto(base_url + decision_link(settings, members[0]))
    await expect(page).to_have_title("Gruppens avgjørelser – Selvhjelpsgrupper")
    await expect(page.locator("html")).to_have_attribute("lang", "nb")
    await expect(page.get_by_role("heading", level=2)).to_have_text(
        "Gruppen er under fire deltakere. Hva vil dere gjøre?"
    )
    await page.get_by_label("Be om nye deltakere").check()
    await page.get_by_label("Hvor mange nye deltakere?").fill("2")
    await screenshot(page, "decision-vote")
    await page.get_by_role("button", name="Send svaret").click()
    await expect(page.get_by_role("status")).to_contain_text("Takk, svaret ditt er registrert.")
    await expect(page.get_by_text("Du har svart: Be om nye deltakere.")).to_be_visible()

    # In English, the same member changes their answer before the deadline.
    await page.goto(base_url + decision_link(settings, members[0]) + "?lang=en")
    await expect(page.locator("html")).to_have_attribute("lang", "en")
    await expect(page.get_by_label("Ask for newcomers")).to_be_checked()
    await page.get_by_label("End the group").check()
    await page.get_by_role("button", name="Send my answer").click()
    await expect(page.get_by_role("status")).to_contain_text("your answer is recorded")
    await expect(page.get_by_text("You answered: End the group.")).to_be_visible()


async def test_a_member_proposes_every_other_week_with_the_keyboard(page, grouping, settings, screenshot):
    base_url, service = grouping
    _, members = await a_running_group(service, 5)

    await page.goto(base_url + decision_link(settings, members[0]) + "/propose")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Foreslå en endring for gruppen")
    # A pause ending before it begins: the error summary and the message at the field, in bokmål.
    await page.get_by_label("Ta pause i en ferieperiode").check()
    await page.get_by_label("Pause fra og med (dato)").fill("2026-04-13")
    await page.get_by_label("Møtes igjen fra (dato)").fill("2026-03-30")
    await page.get_by_role("button", name="Send forslaget").click()
    await expect(page.get_by_role("alert")).to_contain_text("Datoen dere møtes igjen må komme etter")
    await expect(page.get_by_label("Pause fra og med (dato)")).to_have_attribute("aria-invalid", "true")
    await screenshot(page, "decision-propose-error")

    # Every other week, in English, with the keyboard alone.
    await page.goto(base_url + decision_link(settings, members[1]) + "/propose?lang=en")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Propose a change for the group")
    await page.get_by_label("Meet every other week").focus()
    await page.keyboard.press("Space")
    await expect(page.get_by_label("Meet every other week")).to_be_checked()
    await page.get_by_role("button", name="Send the proposal").focus()
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("The proposal has been sent to everyone")
    await expect(page.get_by_role("heading", level=2)).to_have_text("Proposal: meet every other week")
    await page.get_by_label("Yes").check()
    await page.get_by_role("button", name="Send my answer").click()
    await expect(page.get_by_text("You answered: Yes.")).to_be_visible()
