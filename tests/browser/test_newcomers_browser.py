"""The member's newcomers page in a real headless Chromium, in bokmål and in English: a member of a running
group asks for newcomers (a number out of range is refused in the reader's language), then votes yes or no
on each candidate by keyboard and labels (none left out), and the votes are checked in the database."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.async_api import Page, expect
from sqlalchemy import insert, select

from services.grouping.app import create_app
from services.grouping.models import admission_candidates, candidate_votes, groups, memberships, pool
from shared.auth import sign_link

pytestmark = pytest.mark.e2e

WORDS = {
    "nb": {
        "title": "Nye deltakere i gruppen",
        "wanted": "Hvor mange nye deltakere ønsker dere?",
        "ask": "Be om forslag",
        "out_of_range": "Velg et antall fra 1 til 5.",
        "asked": "Forslagene er sendt til alle i gruppen.",
        "proposal": "Forslag {n}",
        "yes": "Ja",
        "no": "Nei",
        "vote": "Send stemmen",
        "vote_each": "Svar ja eller nei for hvert forslag.",
        "voted": "Takk, stemmen din er registrert.",
    },
    "en": {
        "title": "New members for the group",
        "wanted": "How many new members do you want?",
        "ask": "Ask for proposals",
        "out_of_range": "Choose a number from 1 to 5.",
        "asked": "The proposals have been sent to everyone in the group.",
        "proposal": "Proposal {n}",
        "yes": "Yes",
        "no": "No",
        "vote": "Send my vote",
        "vote_each": "Answer yes or no for each proposal.",
        "voted": "Thank you, your vote is recorded.",
    },
}


def _person(participant_id: uuid.UUID, i: int, status: str, waited_days: int) -> dict:
    return {
        "participant_id": participant_id,
        "district": "nord",
        "municipality": "1804",
        "birth_date": date(1988 + i % 3, 5, 1),
        "gender": "female" if i % 2 else "male",
        "topic": "grief",
        "composition": "any",
        "format": "in_person",
        "availability": ["tue_evening"],
        "single_gender": False,
        "registered_at": datetime(2026, 1, 1, tzinfo=UTC) - timedelta(days=waited_days),
        "status": status,
    }


async def _running_group_of_three(app) -> list[uuid.UUID]:
    """A started group below four in Bodø, and three people waiting who fit it."""
    members = [uuid.uuid4() for _ in range(3)]
    group_id = uuid.uuid4()
    async with app.state.service.sessions() as session, session.begin():
        await session.execute(
            insert(pool),
            [_person(p, i, "member", 300) for i, p in enumerate(members)]
            + [_person(uuid.uuid4(), i, "waiting", 100 - i) for i in range(3)],
        )
        await session.execute(
            insert(groups).values(
                group_id=group_id,
                district="nord",
                slot="tue_evening",
                format="in_person",
                status="started",
                topics=["grief"],
                municipalities=["1804"],
                started_at=datetime(2026, 2, 1, tzinfo=UTC),
            )
        )
        await session.execute(
            insert(memberships),
            [{"group_id": group_id, "participant_id": p, "status": "accepted"} for p in members],
        )
    return members


@pytest.mark.parametrize("language", ["nb", "en"])
async def test_a_member_asks_for_newcomers_and_votes_on_each_candidate(
    page: Page, settings, serve, language: str
) -> None:
    words = WORDS[language]
    app = create_app(settings)
    async with serve(app) as base_url:
        members = await _running_group_of_three(app)
        url = f"{base_url}/admission/{sign_link(settings.keyring(), 'admission-vote', members[0])}?lang={language}"
        await page.goto(url)
        await expect(page.locator("html")).to_have_attribute("lang", language)
        await expect(page.get_by_role("heading", level=1)).to_have_text(words["title"])

        # Asking for more than the room left (8 - 3 = 5) is refused with the reason in the reader's words.
        await page.get_by_label(words["wanted"]).fill("6")
        await page.get_by_role("button", name=words["ask"]).click()
        await expect(page.get_by_role("alert")).to_contain_text(words["out_of_range"])
        await page.get_by_label(words["wanted"]).fill("1")
        await page.get_by_role("button", name=words["ask"]).click()
        await expect(page.get_by_role("status")).to_contain_text(words["asked"])

        # Three candidates (one wanted, two more to choose from), each a group of yes/no by its label.
        for n in (1, 2, 3):
            await expect(page.get_by_role("group", name=words["proposal"].format(n=n))).to_be_visible()
        await page.get_by_role("button", name=words["vote"]).click()
        await expect(page.get_by_role("alert")).to_contain_text(words["vote_each"])

        first = page.get_by_role("group", name=words["proposal"].format(n=1))
        await first.get_by_label(words["yes"], exact=True).focus()
        await page.keyboard.press("Space")  # by keyboard: a radio button is chosen with the space bar
        await (
            page.get_by_role("group", name=words["proposal"].format(n=2))
            .get_by_label(words["no"], exact=True)
            .check()
        )
        await (
            page.get_by_role("group", name=words["proposal"].format(n=3))
            .get_by_label(words["yes"], exact=True)
            .check()
        )
        await page.get_by_role("button", name=words["vote"]).click()
        await expect(page.get_by_role("status")).to_contain_text(words["voted"])
        # The member's votes are shown again, so they can change them until the deadline.
        await expect(first.get_by_label(words["yes"], exact=True)).to_be_checked()

        async with app.state.service.sessions() as session:
            votes = dict(
                (
                    await session.execute(
                        select(candidate_votes.c.position, candidate_votes.c.yes).where(
                            candidate_votes.c.voter_id == members[0]
                        )
                    )
                ).all()
            )
            candidates = (await session.execute(select(admission_candidates))).all()
    assert votes == {1: True, 2: False, 3: True}
    assert len(candidates) == 3
