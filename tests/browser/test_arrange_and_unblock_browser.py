"""A district office member in a real headless Chromium, in bokmål and in English: takes a person out of a
proposed group on grouping's arrange page (and is refused, with the rule, when moving someone who would
break the age span), then fixes a group calendar could not schedule by registering a starter on calendar's
unblock page. The outcome is checked in the database; the servers are real (PostgreSQL, RabbitMQ)."""

from __future__ import annotations

import shutil
import uuid
from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import expect
from sqlalchemy import insert, select

from services.calendar.app import create_app as calendar_app
from services.calendar.models import groups as calendar_groups
from services.calendar.models import venues
from services.calendar.registry import hours_to_json, parse_hours_text
from services.grouping import domain
from services.grouping.app import create_app as grouping_app
from services.grouping.models import memberships, pool
from shared.auth import issue_staff_token
from shared.contracts import GroupFormed, MeetingFormat
from shared.messaging import exchange_of
from tests.support import eventually
from tests.support.arranging import person, seed_group
from tests.support.bus import publish

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

WORDS = {
    "nb": {
        "title": "Sett sammen grupper",
        "taken_out": "Personen er tatt ut av gruppen",
        "age_span": "Aldersspennet ville blitt",
        "why": "Ingen igangsetter i distriktet er tilgjengelig",
        "starter_done": "Igangsetteren er registrert",
        "reason": "Begrunnelse (loggføres)",
        "take_out": "Ta ut (tilbake på ventelisten)",
        "move": "Flytt",
        "register": "Registrer",
    },
    "en": {
        "title": "Arrange groups",
        "taken_out": "The person is out of the group",
        "age_span": "The age span would be",
        "why": "No starter in the district is available",
        "starter_done": "The starter is registered",
        "reason": "Reason (logged)",
        "take_out": "Take out (back to the waiting list)",
        "move": "Move",
        "register": "Register",
    },
}


@pytest.mark.parametrize("language", ["nb", "en"])
async def test_staff_arrange_a_group_and_unblock_another_in_the_browser(
    settings, page, serve, screenshot, language
):
    words = WORDS[language]
    quiet = settings.model_copy(update={"planning_debounce_seconds": 3600.0})
    grouping = grouping_app(quiet, domain.PlanningRules(method="heuristic", time_limit_s=5))
    calendar = calendar_app(settings.model_copy(update={"calendar_poll_seconds": 0.2}))
    members = [person(i) for i in range(5)]
    too_old = person(9, born=date(1950, 1, 1))
    async with serve(grouping) as grouping_url, serve(calendar) as calendar_url:
        service = grouping.state.service
        async with service.sessions() as session, session.begin():
            group_id = await seed_group(session, members)
            await session.execute(insert(pool), [too_old])
        token = issue_staff_token(settings.keyring(), "ane", "nord", ["staff"])
        await page.context.add_cookies(
            [{"name": "staff_token", "value": token, "url": url} for url in (grouping_url, calendar_url)]
        )

        # Arrange: take the first member out, with a reason.
        await page.goto(f"{grouping_url}/staff/arrange?lang={language}")
        await expect(page.locator("h1")).to_have_text(words["title"])
        shots = [await screenshot(page, "staff-arrange")] if language == "nb" else []
        leaving = members[0]["participant_id"]
        row = page.locator(f"#group-{group_id} tr", has=page.locator(f"input[value='{leaving}']"))
        await row.locator("form.take-out input[name=reason]").fill("asked by phone")
        await row.locator("form.take-out button").click()
        await expect(page.locator("body")).to_contain_text(words["taken_out"])
        async with service.sessions() as session:
            status = await session.scalar(
                select(memberships.c.status).where(
                    memberships.c.group_id == group_id, memberships.c.participant_id == leaving
                )
            )
            waiting = await session.scalar(select(pool.c.status).where(pool.c.participant_id == leaving))
        assert (status, waiting) == ("left", "waiting")

        # Moving the 76-year-old into the group is refused with the rule, in the reader's language.
        waiting_row = page.locator(
            "#waiting tr", has=page.locator(f"input[value='{too_old['participant_id']}']")
        )
        await waiting_row.locator("input[name=reason]").fill("wants a group")
        await waiting_row.locator("button", has_text=words["move"]).click()
        await expect(page.locator("body")).to_contain_text(words["age_span"])
        async with service.sessions() as session:
            assert (
                await session.scalar(
                    select(pool.c.status).where(pool.c.participant_id == too_old["participant_id"])
                )
                == "waiting"
            )

        # Unblock: a group calendar could not schedule for want of a starter gets one on the page.
        cal = calendar.state.service
        async with cal.sessions() as session, session.begin():
            await session.execute(
                insert(venues).values(
                    id=uuid.uuid4(),
                    municipality="1804",
                    district="nord",
                    name="Stormen",
                    kind="library",
                    capacity=10,
                    accessible=True,
                    opening_hours=hours_to_json(parse_hours_text("mon-fri 16:00-22:00")),
                    blackout_dates=[],
                )
            )
        formed = GroupFormed(
            group_id=uuid.uuid4(),
            district="nord",
            slot="tue_evening",
            format=MeetingFormat.in_person,
            members=[uuid.uuid4() for _ in range(6)],
            municipalities=["1804"] * 6,
        )
        await publish(settings, exchange_of("grouping"), formed.envelope(source="grouping"))

        async def status_of() -> str | None:
            async with cal.sessions() as session:
                return await session.scalar(
                    select(calendar_groups.c.status).where(calendar_groups.c.group_id == formed.group_id)
                )

        await eventually(lambda: _is(status_of, "failed"), timeout=30)
        await page.goto(f"{calendar_url}/staff/unblock/{formed.group_id}?lang={language}")
        await expect(page.locator("#why")).to_contain_text(words["why"])
        if language == "nb":
            shots.append(await screenshot(page, "staff-unblock"))
        form = page.locator("#add-starter")
        await form.locator("input[name=first_name]").fill("Kari")
        await form.locator("input[name=email]").fill("kari@example.org")
        await form.locator("input[name=availability]").fill("tue 17:00-21:00")
        await form.locator("input[name=reason]").fill("trained in May")
        await form.locator("button").click()
        await expect(page.locator("body")).to_contain_text(words["starter_done"])
        await eventually(lambda: _is(status_of, "scheduled"), timeout=30)
    # The README shows the bokmål pages.
    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for shot in shots:
        shutil.copy(shot, DOCS_SCREENSHOTS / shot.name)


async def _is(read, wanted: str) -> bool:
    return await read() == wanted
