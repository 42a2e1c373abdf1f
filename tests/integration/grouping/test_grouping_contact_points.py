"""A contact point's home on grouping: for each of its municipalities, how many wait and how many groups
run (counts only); another municipality's contact point sees none of them; district office staff get 403,
no session is sent to sign in. Also the development sign-in as a contact point, which lands on this home."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import insert

from services.grouping.app import create_app
from services.grouping.models import groups, pool
from tests.support import running
from tests.support.contact_point_matrix import (
    CONTACT_POINT,
    OTHER_CONTACT_POINT,
    case_id,
    cases_of,
    session_cookie,
)

pytestmark = pytest.mark.integration


@pytest.fixture
async def grouping(settings):
    app = create_app(settings)
    service = app.state.service
    async with running(service):
        await _seed(service)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://grouping.test") as http:
            yield http


async def _seed(service) -> None:
    """Three waiting in Bodø, one in Narvik, two in Rana (and one in Bodø already a member); a running
    group of Bodø and Saltdal, a proposed one of Bodø, a running one of Rana."""
    people = [("1804", "waiting")] * 3 + [("1806", "waiting"), ("1804", "member")] + [("1833", "waiting")] * 2
    group_rows = [(["1804", "1840"], "started"), (["1804"], "proposed"), (["1833"], "started")]
    async with service.sessions() as session, session.begin():
        for municipality, status in people:
            await session.execute(
                insert(pool).values(
                    participant_id=uuid.uuid4(),
                    district="nord",
                    municipality=municipality,
                    birth_date=date(1985, 3, 27),
                    gender="female",
                    topic="grief",
                    composition="any",
                    format="in_person",
                    availability=["tue_evening"],
                    single_gender=False,
                    registered_at=datetime(2026, 1, 5, tzinfo=UTC),
                    status=status,
                )
            )
        for municipalities, status in group_rows:
            await session.execute(
                insert(groups).values(
                    group_id=uuid.uuid4(),
                    district="nord",
                    slot="tue_evening",
                    format="in_person",
                    status=status,
                    topics=["grief"],
                    municipalities=municipalities,
                )
            )


def counts(page: str) -> list[tuple[str, str, str]]:
    return re.findall(r'<tr><td>([^<]+)</td><td class="num">(\d+)</td><td class="num">(\d+)</td></tr>', page)


@pytest.mark.parametrize(("case", "role"), cases_of("grouping"), ids=case_id)
async def test_each_route_answers_each_role_as_the_matrix_says(grouping, settings, case, role):
    grouping.cookies.clear()
    cookie = session_cookie(settings.keyring(), role)
    if cookie:
        grouping.cookies.set("staff_token", cookie)
    response = await grouping.request(case.method, case.url(), data=case.form or None)
    assert response.status_code == case.expected[role], response.text[:500]


async def test_the_home_counts_the_waiting_and_the_running_groups_of_its_municipalities(grouping, settings):
    grouping.cookies.set("staff_token", session_cookie(settings.keyring(), CONTACT_POINT))
    home = await grouping.get("/contact")
    assert home.status_code == 200
    assert counts(home.text) == [("Bodø", "3", "1"), ("Narvik", "1", "0")]
    assert "Grief" not in home.text and "Sorg" not in home.text  # counts only
    assert "Meld på en person" in home.text

    english = await grouping.get("/contact", params={"lang": "en"})
    assert '<html lang="en">' in english.text and "Waiting for a group" in english.text
    nynorsk = await grouping.get("/contact", params={"lang": "nn"})
    assert "Ventar på gruppe" in nynorsk.text

    grouping.cookies.set("staff_token", session_cookie(settings.keyring(), OTHER_CONTACT_POINT))
    other = await grouping.get("/contact")
    assert counts(other.text) == [("Rana - Raane", "2", "1")]


async def test_the_development_sign_in_can_sign_in_as_a_contact_point(settings):
    app = create_app(settings.model_copy(update={"dev_sign_in": True}))
    async with running(app.state.service):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://grouping.test") as grouping:
            page = await grouping.get("/staff/sign-in")
            assert 'action="/staff/sign-in/contact-point"' in page.text
            response = await grouping.post(
                "/staff/sign-in/contact-point", data={"municipalities": ["1804", "1806"], "name": "berit"}
            )
            assert response.status_code == 303
            # The sign-in hop over the services ends on the contact point's home, not the staff overview.
            assert response.headers["location"].endswith(quote(f"{settings.grouping_url}/contact", safe=""))
            home = await grouping.get("/contact")
            assert home.status_code == 200 and "berit · 1804, 1806" in home.text
            assert (await grouping.get("/staff")).status_code == 403

            nothing_chosen = await grouping.post("/staff/sign-in/contact-point", data={"name": "x"})
            assert nothing_chosen.status_code == 303
            assert "/staff/sign-in" in nothing_chosen.headers["location"]
