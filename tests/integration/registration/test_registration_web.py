"""The public web form and the private status page, through the app's HTTP interface (no browser)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from services.registration.models import registrations
from shared.clock import utc_now
from tests.support import eventually

pytestmark = pytest.mark.integration


def form(**overrides) -> dict:
    fields = {
        "form_id": "0123456789abcdef0123456789abcdef",
        "name": "Kari",
        "email": "kari@example.org",
        "mobile": "",
        "birth_date": "1986-05-01",  # an adult on any day the tests run
        "gender": "female",
        "municipality": "1804",
        "topic": "grief",
        "topic_text": "",
        "composition": "any",
        "format": "in_person",
        "availability": ["tue_evening", "thu_evening"],
        "language": "nb",
        "consent": "yes",
    }
    fields.update(overrides)
    return fields


def status_path(response) -> str:
    assert response.status_code == 303, response.text
    return response.headers["location"].split("?")[0]


async def test_the_form_is_in_bokmal_by_default_and_switches_language_by_link_and_cookie(client):
    page = await client.get("/")
    assert page.status_code == 200
    assert '<html lang="nb">' in page.text
    assert "Meld deg på en selvhjelpsgruppe" in page.text
    for frame in ("4–8", "Ingen leder", "lukket", "Taushetsplikt", "to timer"):
        assert frame in page.text
    assert "Hva skjer etter at du har meldt deg på?" in page.text

    nynorsk = await client.get("/?lang=nn")
    assert '<html lang="nn">' in nynorsk.text and "sjølvhjelpsgruppe" in nynorsk.text
    remembered = await client.get("/")  # the cookie set by ?lang=nn
    assert '<html lang="nn">' in remembered.text

    english = await client.get("/?lang=en")
    assert '<html lang="en">' in english.text and "Join a self-help group" in english.text


async def test_every_input_of_the_form_has_a_label(client):
    html = (await client.get("/")).text
    ids = re.findall(r'<(?:input|select|textarea)[^>]*\sid="([^"]+)"', html)
    labelled = set(re.findall(r'<label[^>]*\sfor="([^"]+)"', html))
    assert ids and set(ids) <= labelled, set(ids) - labelled


async def test_a_valid_form_registers_and_leads_to_the_private_status_page(client, probe):
    response = await client.post("/register", data=form())
    path = status_path(response)
    assert path.startswith("/status/")

    stored = (await probe.rows(select(registrations)))[0]
    assert (stored.name, stored.municipality, stored.availability) == (
        "Kari",
        "1804",
        ["tue_evening", "thu_evening"],
    )
    assert stored.source == "self" and stored.consent_version
    assert len(await probe.events("registration.accepted.v1")) == 1
    assert len(await probe.events("participant.contact_registered.v1")) == 1

    status = await client.get(response.headers["location"])
    assert status.status_code == 200
    assert "Takk! Du er meldt på." in status.text
    assert "Venter på en gruppe" in status.text
    assert "Tirsdag, kveld" in status.text
    assert status.headers["cache-control"] == "no-store"
    assert status.headers["referrer-policy"] == "no-referrer"


async def test_the_birth_date_may_be_written_the_norwegian_way(client, probe):
    response = await client.post("/register", data=form(birth_date="27.3.1985"))
    assert response.status_code == 303
    assert str(await probe.scalar(select(registrations.c.birth_date))) == "1985-03-27"


async def test_a_double_submitted_form_registers_once(client, probe):
    first = await client.post("/register", data=form())
    second = await client.post("/register", data=form())
    # The same person's link (signed anew each time: a second apart under load, the tokens differ).
    assert status_path(first).split(".")[1] == status_path(second).split(".")[1]
    assert await probe.scalar(select(func.count()).select_from(registrations)) == 1


async def test_bad_input_shows_an_error_summary_linking_to_each_field_and_keeps_the_values(client, probe):
    response = await client.post(
        "/register",
        data=form(
            email="not-an-address", municipality="", availability=[], consent="", topic_text="Mitt tema"
        ),
    )
    assert response.status_code == 422
    html = response.text
    summary = html.split('role="alert"', 1)[1].split("</div>", 1)[0]
    for anchor in ("#field-email", "#field-municipality", "#field-availability", "#field-consent"):
        assert anchor in summary
    assert "Skriv en gyldig e-postadresse" in html
    assert "Kryss av for minst én tid som passer." in html
    assert 'aria-invalid="true"' in html
    assert 'value="not-an-address"' in html and "Mitt tema</textarea>" in html
    assert "<title>Feil:" in html
    assert await probe.scalar(select(func.count()).select_from(registrations)) == 0


async def test_a_person_under_18_is_told_why_next_to_the_birth_date(client, probe):
    # Sixteen on the service's clock, which the test sets: the machine's date plays no part.
    probe.service.clock = lambda: datetime(2026, 3, 2, 10, tzinfo=UTC)
    sixteen = "2010-03-01"
    try:
        response = await client.post("/register", data=form(birth_date=sixteen, mobile="12"))
        assert response.status_code == 422
        assert "#field-mobile" in response.text  # a pydantic problem first; the age rule comes after it
        response = await client.post("/register", data=form(birth_date=sixteen))
        assert response.status_code == 422
        assert "Du må være 18 år eller eldre" in response.text
        assert 'href="#field-birth_date"' in response.text
        assert await probe.scalar(select(func.count()).select_from(registrations)) == 0
        # Eighteen on the clock's day in Norway, though not yet on its UTC date (00:30 in Oslo, 23:30 UTC on 29 February).
        probe.service.clock = lambda: datetime(2028, 2, 29, 23, 30, tzinfo=UTC)
        response = await client.post("/register", data=form(birth_date="2010-03-01"))
        assert response.status_code == 303, response.text[:300]
    finally:
        probe.service.clock = utc_now


async def test_errors_are_in_the_chosen_language(client):
    response = await client.post("/register?lang=en", data=form(consent=""))
    assert response.status_code == 422
    assert "You must agree to be able to sign up." in response.text


async def test_the_status_page_changes_availability_and_emits_the_change(client, probe):
    path = status_path(await client.post("/register", data=form()))
    changed = await client.post(f"{path}/availability", data={"availability": ["mon_daytime", "sat_daytime"]})
    assert changed.status_code == 303 and changed.headers["location"].endswith("?done=availability")
    assert (await probe.rows(select(registrations.c.availability)))[0].availability == [
        "mon_daytime",
        "sat_daytime",
    ]
    [event] = await probe.events("registration.availability_changed.v1")
    assert event["data"]["availability"] == ["mon_daytime", "sat_daytime"]

    refused = await client.post(f"{path}/availability", data={"availability": []})
    assert refused.status_code == 422 and 'role="alert"' in refused.text


async def test_withdrawing_asks_first_then_emits_participant_withdrew(client, probe, published):
    path = status_path(await client.post("/register", data=form()))
    confirm = await client.get(f"{path}/withdraw")
    assert confirm.status_code == 200 and "Vil du trekke deg?" in confirm.text
    assert await probe.scalar(select(registrations.c.status)) == "waiting"

    done = await client.post(f"{path}/withdraw")
    assert done.status_code == 303
    assert await probe.scalar(select(registrations.c.status)) == "withdrawn"
    page = await client.get(done.headers["location"])
    assert "Du har trukket deg." in page.text and "Endre når du kan møtes" in page.text

    withdrew = await eventually(lambda: _of_type(published, "participant.withdrew.v1"), timeout=20)
    assert withdrew[0]["data"]["participant_id"] == path.split("/")[2].split(".")[1]  # kid.subject.…


async def _of_type(events: list[dict], event_type: str) -> list[dict]:
    return [e for e in events if e["event_type"] == event_type]


async def test_erasing_asks_first_then_deletes_and_the_link_stops_working(client, probe):
    path = status_path(await client.post("/register", data=form()))
    confirm = await client.get(f"{path}/erase")
    assert "Dette kan ikke angres" in confirm.text

    done = await client.post(f"{path}/erase")
    assert done.status_code == 303 and done.headers["location"] == "/erased"
    assert await probe.scalar(select(func.count()).select_from(registrations)) == 0
    assert len(await probe.events("participant.erased.v1")) == 1
    assert (await client.get(path)).status_code == 404

    again = await client.post(f"{path}/erase")  # a reload: the link is revoked, nothing more is told
    assert again.status_code == 404
    assert len(await probe.events("participant.erased.v1")) == 1


async def test_a_forged_or_broken_link_finds_nothing(client):
    for path in ("/status/nonsense", "/status/00000000-0000-0000-0000-000000000000.9999999999.AAAA"):
        response = await client.get(path)
        assert response.status_code == 404 and "Lenken virker ikke" in response.text


async def test_changed_availability_reaches_the_grouping_pool(client, settings):
    from services.grouping.app import create_service as create_grouping
    from services.grouping.models import pool
    from tests.support import running

    grouping = create_grouping(settings)
    async with running(grouping):
        path = status_path(await client.post("/register", data=form()))

        async def pooled_availability():
            async with grouping.sessions() as session:
                return await session.scalar(select(pool.c.availability))

        assert await eventually(pooled_availability, timeout=30) == ["tue_evening", "thu_evening"]
        await client.post(f"{path}/availability", data={"availability": ["wed_daytime"]})

        async def changed():
            return await pooled_availability() == ["wed_daytime"]

        await eventually(changed, timeout=30)
