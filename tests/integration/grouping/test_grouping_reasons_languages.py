"""Waiting reasons, hints and flags are stored as codes with parameters and shown in the reader's
language: the waiting list and the overview in bokmål carry no English stock phrase, in English no bokmål.
Reasons and flags stored as English words before codes existed are shown as they were stored."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import httpx
import pytest
from sqlalchemy import insert

from services.grouping.app import create_app
from services.grouping.models import groups, pool
from services.grouping.reasons import scheduling_failed_flag
from shared.auth import issue_staff_token
from tests.support import running

pytestmark = pytest.mark.integration

NO_COMMON_SLOT = {
    "code": "no_common_slot",
    "text": "Fewer than 5 people nearby share one of your times (Tuesday evening).",
    "params": {
        "min_size": 5,
        "where": "nearby",
        "slots": ["tue_evening"],
        "best_slot": "tue_evening",
        "best_count": 1,
    },
}
TOO_FEW_NEARBY = {
    "code": "too_few_nearby",
    "text": "Fewer than 5 people who want to meet in person live in or near Bodø ...",
    "params": {"min_size": 5, "municipality": "1804", "km": 50.0, "count": 1},
}
VENUE_CLOSED = scheduling_failed_flag(
    "no_venue_open",
    {
        "accessible": True,
        "size": 5,
        "places": "Bodø",
        "slot": "tue_evening",
        "earliest": "17:00",
        "latest": "19:00",
    },
    "no accessible venue with room for 5 in Bodø or neighbours is open on Tuesday evenings (starting 17:00-19:00)",
)
ENGLISH_STOCK = (
    "Fewer than",
    "other people",
    "scheduling failed",
    "venue",
    "Tuesday",
    "would make a group",
    "nearby",
)
BOKMAL_STOCK = (
    "Færre enn",
    "andre personer",
    "planlegging feilet",
    "møtested",
    "tirsdag",
    "ville gitt en gruppe",
    "nærheten",
)


@pytest.fixture
async def client(settings):
    app = create_app(settings)
    async with running(app.state.service):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://grouping.test") as http:
            http.cookies.set("staff_token", issue_staff_token(settings.keyring(), "ane", "nord", ["staff"]))
            yield http, app.state.service


async def _put(service, reasons: list[dict], flag: str, flag_code: dict | None) -> None:
    async with service.sessions() as session, session.begin():
        await session.execute(
            insert(pool).values(
                participant_id=uuid.uuid4(),
                district="nord",
                municipality="1804",
                birth_date=date(1980, 1, 1),
                gender="female",
                topic="grief",
                composition="any",
                format="in_person",
                availability=["tue_evening"],
                single_gender=False,
                registered_at=datetime(2027, 1, 1, tzinfo=UTC),
                status="waiting",
                waiting_reasons=reasons,
            )
        )
        await session.execute(
            insert(groups).values(
                group_id=uuid.uuid4(),
                district="nord",
                slot="tue_evening",
                format="in_person",
                status="proposed",
                topics=["grief"],
                municipalities=["1804"],
                flag=flag,
                flag_code=flag_code,
            )
        )


def _table_and_flags(page: str) -> str:
    """The rows of the waiting list and the flagged groups: what is stored per person or group (the pages'
    own words are checked by test_grouping_staff_languages)."""
    start = page.index("<main")
    return page[start:]


async def test_the_pool_and_overview_show_reasons_hints_and_flags_in_the_readers_language(client):
    http, service = client
    await _put(service, [NO_COMMON_SLOT, TOO_FEW_NEARBY], VENUE_CLOSED["params"]["reason"], VENUE_CLOSED)

    nb_pool = _table_and_flags((await http.get("/staff/pool", params={"lang": "nb"})).text)
    assert "Færre enn 5 personer i nærheten deler en av personens tider (tirsdager på kvelden)" in nb_pool
    assert "ville gitt en gruppe" in nb_pool  # the hint
    nb_overview = _table_and_flags((await http.get("/staff", params={"lang": "nb"})).text)
    assert "planlegging feilet: ingen tilgjengelige møtesteder med plass til 5 i Bodø" in nb_overview
    for phrase in ENGLISH_STOCK:
        assert phrase not in nb_pool and phrase not in nb_overview, phrase

    en_pool = _table_and_flags((await http.get("/staff/pool", params={"lang": "en"})).text)
    assert (
        "Fewer than 5 people nearby share one of the person&#39;s times (on Tuesdays in the evening)"
        in en_pool
    )
    assert "would make a group" in en_pool
    en_overview = _table_and_flags((await http.get("/staff", params={"lang": "en"})).text)
    assert "scheduling failed: no accessible venue with room for 5 in Bodø" in en_overview
    for phrase in BOKMAL_STOCK:
        assert phrase not in en_pool and phrase not in en_overview, phrase


async def test_reasons_and_flags_stored_as_english_words_are_shown_as_they_were_stored(client):
    http, service = client
    legacy = {"code": "pool_too_small", "text": "Only 1 people are waiting in this region, you included."}
    await _put(service, [legacy], "scheduling failed: no venue is registered in Bodø", None)
    assert legacy["text"] in (await http.get("/staff/pool", params={"lang": "nb"})).text
    assert "scheduling failed: no venue is registered in Bodø" in (await http.get("/staff")).text
