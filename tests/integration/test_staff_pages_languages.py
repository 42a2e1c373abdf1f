"""Every staff page of every service speaks one language: walked in bokmål, no English stock phrase shows;
walked in English, no bokmål one. The walk starts at each service's console entry points (with a little
data seeded, so that reasons, flags and rows are on the pages) and follows the service's own staff links."""

from __future__ import annotations

import html
import importlib
import re
import uuid
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import insert

from shared.auth import issue_staff_token
from shared.vocabulary import LANGUAGE_NAMES
from tests.support import running
from tests.support.factories import registration_body

pytestmark = pytest.mark.integration

# Words of the console and of stored reasons that only one of the two languages uses.
ENGLISH_STOCK = (
    "Sign out",
    "Download",
    "Overview",
    "Waiting list",
    "Fewer than",
    "scheduling failed",
    "venue",
    "Tuesday",
    "would make a group",
    "nearby",
    " the ",
    " and ",
)
BOKMAL_STOCK = (
    "Logg ut",
    "Last ned",
    "Oversikt",
    "Venteliste",
    "Færre enn",
    "planlegging feilet",
    "møtested",
    "tirsdag",
    "ville gitt en gruppe",
    "nærheten",
    " ikke ",
    " og ",
)
MAX_PAGES = 40
NOT_PAGES = ("/sign-out", ".csv", "/csv", ".xlsx")

SCHEDULING_FAILURE = {
    "code": "no_venue_open",
    "params": {
        "accessible": True,
        "size": 5,
        "places": "Bodø",
        "slot": "tue_evening",
        "earliest": "17:00",
        "latest": "19:00",
    },
}
SCHEDULING_FAILURE_WORDS = "no accessible venue with room for 5 in Bodø or neighbours is open on Tuesday evenings (starting 17:00-19:00)"


async def _seed_registration(http: httpx.AsyncClient, service) -> list[str]:
    reply = await http.post("/api/v1/registrations", json=registration_body(municipality="1804"))
    person = f"/staff/people/{reply.json()['registration_id']}"
    return ["/staff/audit", person, f"{person}?reason=follow-up"]  # the form, then the details


async def _seed_grouping(http: httpx.AsyncClient, service) -> list[str]:
    from services.grouping.models import groups, pool
    from services.grouping.reasons import scheduling_failed_flag

    group_id = uuid.uuid4()
    flag = scheduling_failed_flag(
        SCHEDULING_FAILURE["code"], SCHEDULING_FAILURE["params"], SCHEDULING_FAILURE_WORDS
    )
    no_common_slot = {
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
    async with service.transaction() as uow:
        await uow.session.execute(
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
                waiting_reasons=[no_common_slot],
            )
        )
        await uow.session.execute(
            insert(groups).values(
                group_id=group_id,
                district="nord",
                slot="tue_evening",
                format="in_person",
                status="proposed",
                topics=["grief"],
                municipalities=["1804"],
                flag=f"scheduling failed: {SCHEDULING_FAILURE_WORDS}",
                flag_code=flag,
            )
        )
    return ["/staff", "/staff/pool", "/staff/groups", f"/staff/groups/{group_id}", "/staff/audit"]


async def _seed_calendar(http: httpx.AsyncClient, service) -> list[str]:
    from services.calendar.models import groups
    from tests.integration.calendar.calendar_harness import add_venue

    group_id = uuid.uuid4()
    async with service.transaction() as uow:
        await uow.session.execute(
            insert(groups).values(
                group_id=group_id,
                district="nord",
                slot="tue_evening",
                format="in_person",
                municipalities=["1804"],
                status="failed",
                failure_reason=SCHEDULING_FAILURE_WORDS,
                failure_code=SCHEDULING_FAILURE,
            )
        )
    await add_venue(service, "Stormen")
    await http.post(
        "/staff/starters",
        data={"first_name": "Siri", "email": "siri@example.org", "availability": "tue 17:00-21:00"},
    )
    return ["/staff/venues", f"/staff/groups/{group_id}"]


async def _seed_notifications(http: httpx.AsyncClient, service) -> list[str]:
    return ["/staff/deliveries"]


SEEDS = {
    "registration": _seed_registration,
    "grouping": _seed_grouping,
    "calendar": _seed_calendar,
    "notifications": _seed_notifications,
}
HREF = re.compile(r'href="([^"]+)"')
TAG = re.compile(r"<[^>]+>")


def _own_staff_links(page: str, base_url: str) -> set[str]:
    """The service's own staff pages a page links to (relative, or absolute to this service)."""
    links = set()
    for href in HREF.findall(page):
        href = html.unescape(href)
        if href.startswith(base_url):
            href = href[len(base_url) :]
        elif urlsplit(href).netloc:
            continue  # another service's console
        path = urlsplit(href).path
        if path.startswith("/staff") and not any(part in href for part in NOT_PAGES):
            links.add(path)
    return links


def _words(page: str) -> str:
    """The page's visible words, without the language switcher (which names every language)."""
    main = page[page.index("<body") :]
    # A form's list of municipalities is names, not words of a language ("Nore og Uvdal" in English too).
    main = re.sub(r"<select[^>]*name=\"municipality\".*?</select>", " ", main, flags=re.S)
    words = html.unescape(TAG.sub(" ", main))
    for name in LANGUAGE_NAMES.values():
        words = words.replace(name, "")
    return re.sub(r"\s+", " ", words)


async def _walk(http: httpx.AsyncClient, start: list[str], base_url: str, language: str) -> dict[str, str]:
    seen: dict[str, str] = {}
    queue = list(start)
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        reply = await http.get(path, params={"lang": language})
        assert reply.status_code == 200, (path, reply.status_code)
        seen[path] = reply.text
        queue.extend(sorted(_own_staff_links(reply.text, base_url) - set(seen)))
    return seen


@pytest.mark.parametrize("service_name", list(SEEDS))
async def test_every_staff_page_speaks_the_readers_language_only(settings, service_name: str) -> None:
    app = importlib.import_module(f"services.{service_name}.app").create_app(settings)
    base_url = getattr(settings, f"{service_name}_url")
    async with running(app.state.service):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=base_url) as http:
            http.cookies.set("staff_token", issue_staff_token(settings.keyring(), "ane", "nord", ["staff"]))
            start = await SEEDS[service_name](http, app.state.service)
            for language, foreign in (("nb", ENGLISH_STOCK), ("en", BOKMAL_STOCK)):
                pages = await _walk(http, start, base_url, language)
                assert set(start) <= set(pages)
                mixed = {
                    path: [phrase for phrase in foreign if phrase in _words(page)]
                    for path, page in pages.items()
                }
                assert {path: found for path, found in mixed.items() if found} == {}, language
