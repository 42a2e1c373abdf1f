"""The member's leave page in real headless Chromium, in bokmål and English: reached by the signed link,
worked with the keyboard only (the two choices, then confirm), it says what leaving means, leaves, and a
second confirm changes nothing and says so. The page keeps its language and labels for screen readers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert, select

from services.grouping.app import create_app
from services.grouping.models import groups, memberships, outbox, pool
from shared.auth import sign_link

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

WORDS = {
    "nb": {
        "title": "Gå ut av gruppa",
        "goodbye": "Si ha det til gruppa med fornavnet mitt",
        "pool": "Jeg vil stå på ventelisten til en ny gruppe",
        "done": "Du har gått ut av gruppa",
        "pool_done": "Du står på ventelisten igjen",
        "again": "ingenting er endret",
    },
    "en": {
        "title": "Leave the group",
        "goodbye": "Say goodbye to the group with my first name",
        "pool": "I want to wait for a new group",
        "done": "You have left the group",
        "pool_done": "You are on the waiting list again",
        "again": "nothing has changed",
    },
}


async def a_started_group_of_five(service) -> list[uuid.UUID]:
    group_id, people = uuid.uuid4(), [uuid.uuid4() for _ in range(5)]
    async with service.sessions() as session, session.begin():
        await session.execute(
            insert(groups).values(
                group_id=group_id,
                district="nord",
                slot="tue_evening",
                format="in_person",
                status="started",
                topics=["grief"],
                municipalities=["1804"],
                started_at=datetime(2026, 1, 6, 17, tzinfo=UTC),
            )
        )
        for person in people:
            await session.execute(
                insert(pool).values(
                    participant_id=person,
                    district="nord",
                    municipality="1804",
                    birth_date=date(1980, 1, 1),
                    gender="female",
                    topic="grief",
                    composition="any",
                    format="in_person",
                    availability=["tue_evening"],
                    single_gender=False,
                    registered_at=datetime(2025, 11, 1, tzinfo=UTC),
                    status="member",
                )
            )
            await session.execute(
                insert(memberships).values(group_id=group_id, participant_id=person, status="accepted")
            )
    return people


@pytest.mark.parametrize("language", ["nb", "en"])
async def test_a_member_leaves_with_the_keyboard(language, settings, serve, page, screenshot):
    w = WORDS[language]
    app = create_app(settings)
    service = app.state.service
    async with serve(app) as base_url:
        people = await a_started_group_of_five(service)
        token = sign_link(settings.keyring(), "leave-group", people[0])
        await page.goto(f"{base_url}/leave/{token}?lang={language}")

        assert await page.get_attribute("html", "lang") == language
        assert await page.locator("h1").inner_text() == w["title"]
        # Each choice is a labelled checkbox with its hint: reachable by its accessible name.
        goodbye = page.get_by_label(w["goodbye"])
        waiting = page.get_by_label(w["pool"])
        assert await goodbye.get_attribute("aria-describedby") == "hint-goodbye"
        await screenshot(page, f"leave-{language}")

        # Keyboard only: focus the first choice, tick both with Space, then Enter on the button.
        await goodbye.focus()
        await page.keyboard.press("Space")
        await page.keyboard.press("Tab")
        await page.keyboard.press("Space")
        assert await goodbye.is_checked() and await waiting.is_checked()
        await page.keyboard.press("Tab")
        assert await page.evaluate("document.activeElement.id") == "confirm"
        await page.keyboard.press("Enter")

        notice = page.locator("#done")
        await notice.wait_for()
        assert await notice.get_attribute("role") == "status"
        assert w["done"] in await notice.inner_text()
        assert w["pool_done"] in await notice.inner_text()
        await screenshot(page, f"leave-done-{language}")

        # The same link again: nothing to leave, and the page says so, in the same language.
        await page.goto(f"{base_url}/leave/{token}?lang={language}")
        assert w["again"] in await page.locator("#already").inner_text()

        # A forged link is a 404 page in the reader's language, not an error trace.
        response = await page.goto(f"{base_url}/leave/not-a-token?lang={language}")
        assert response is not None and response.status == 404
        assert await page.get_attribute("html", "lang") == language

    async with service.sessions() as session:
        left = (
            await session.execute(
                select(outbox.c.payload).where(outbox.c.event_type == "group.member_left.v1")
            )
        ).all()
        status = await session.scalar(
            select(memberships.c.status).where(memberships.c.participant_id == people[0])
        )
        waiting_again = await session.scalar(select(pool.c.status).where(pool.c.participant_id == people[0]))
    assert status == "left" and waiting_again == "waiting"
    assert len(left) == 1
    data = left[0].payload["data"]
    assert data["say_goodbye"] is True and data["back_to_pool"] is True
