"""The district office's people pages against real PostgreSQL and RabbitMQ: find a person (each field, only
in the district, only with a reason, audited), the registration's history, registering on someone's behalf
(the public form's rules and errors, audited) and correcting a waiting registration (staff with a reason,
and the person on their status page; refused once placed)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from services.registration import commands
from services.registration.models import audit_log, registration_history, registrations
from shared.auth import issue_staff_token
from shared.clock import utc_now
from shared.contracts import GroupFormed, GroupStarted, InvitationAnswered
from shared.messaging import exchange_of
from tests.support import eventually
from tests.support.bus import publish
from tests.support.factories import registration_body

pytestmark = pytest.mark.integration

BORN = "1980-05-01"  # an adult on any day the tests run


@pytest.fixture
def staff(client, settings):
    client.cookies.set("staff_token", issue_staff_token(settings.keyring(), "ane@nord", "nord", ["staff"]))
    return client


async def register(client, **overrides) -> str:
    body = registration_body(birth_date=BORN, **overrides)
    response = await client.post("/api/v1/registrations", json=body)
    assert response.status_code == 202, response.text
    return response.json()["registration_id"]


def form(**overrides) -> dict:
    fields = {
        "form_id": uuid.uuid4().hex,
        "name": "Per Hansen",
        "email": "per@example.org",
        "mobile": "",
        "birth_date": "01.05.1980",
        "gender": "male",
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


def correction(**overrides) -> dict:
    fields = {
        "reason": "Ringte og ba om endring",
        "name": "Kari Nordmann",
        "email": "kari@example.org",
        "mobile": "",
        "municipality": "1804",
        "topic": "grief",
        "topic_text": "",
        "composition": "any",
        "format": "in_person",
        "availability": ["tue_evening"],
        "language": "nb",
    }
    fields.update(overrides)
    return fields


async def found(client, query: str, reason: str = "Personen ringte") -> str:
    response = await client.get("/staff/people", params={"q": query, "reason": reason})
    assert response.status_code == 200, response.text
    return response.text.split("<h2>Treff</h2>", 1)[1]  # the results, not the search form


async def test_staff_find_a_person_by_name_email_mobile_or_id_in_their_own_district_only(staff):
    kari = await register(
        staff, participant={"name": "Kari Nordmann", "email": "Kari.N@Example.org", "mobile": "41234567"}
    )
    await register(staff, participant={"name": "Ola Hansen", "email": "ola@example.org"})
    oslo = await register(
        staff, municipality="0301", participant={"name": "Kari Oslo", "email": "kari.oslo@example.org"}
    )

    by_name = await found(staff, "nordm")
    assert "Kari Nordmann" in by_name and "Ola Hansen" not in by_name
    assert f"/staff/people/{kari}?reason=" in by_name
    assert "Kari Nordmann" in await found(staff, "kari.n@example.ORG")
    assert "Kari Nordmann" in await found(staff, "+47 412 34 567")
    assert "Kari Nordmann" in await found(staff, "412 34 567")
    assert "Kari Nordmann" in await found(staff, kari)
    assert "Kari Nordmann" in await found(staff, kari[:8])

    # Another district's person is not found, by name, e-mail or id.
    for query in ("Kari Oslo", "kari.oslo@example.org", oslo):
        page = await found(staff, query)
        assert "Kari Oslo" not in page
    assert "Ingen i ditt distrikt passer søket." in await found(staff, "Kari Oslo")
    english = await staff.get("/staff/people", params={"q": "nobody", "reason": "call", "lang": "en"})
    assert "Nobody in your district matches the search." in english.text


async def test_a_search_needs_a_reason_and_who_was_shown_is_audited_with_it(staff, probe):
    kari = await register(staff)
    refused = await staff.get("/staff/people", params={"q": "Kari", "reason": ""})
    assert refused.status_code == 422
    assert "Skriv hvorfor du søker" in refused.text and "Kari Nordmann" not in refused.text
    assert await probe.rows(select(audit_log).where(audit_log.c.action == "search")) == []

    await found(staff, "Kari", reason="Kari ringte om ventetid")
    [entry] = await probe.rows(select(audit_log).where(audit_log.c.action == "search"))
    assert (entry.actor, entry.district, str(entry.subject_id)) == ("ane@nord", "nord", kari)
    assert entry.reason == "Kari ringte om ventetid"

    await found(staff, "ingen slik person", reason="Feil nummer")
    empty = await probe.rows(select(audit_log).where(audit_log.c.reason == "Feil nummer"))
    assert [(e.action, e.subject_id) for e in empty] == [("search", None)]


async def test_the_history_shows_what_happened_to_the_registration(staff, settings, probe):
    kari = uuid.UUID(await register(staff))
    group_id = uuid.uuid4()
    envelopes = [
        GroupFormed(
            group_id=group_id, district="nord", slot="tue_evening", format="in_person",
            members=[kari, uuid.uuid4()], municipalities=["1804"],
        ),
        InvitationAnswered(group_id=group_id, participant_id=kari, accepted=True),
        GroupStarted(group_id=group_id, members=[kari]),
    ]  # fmt: skip
    # As grouping publishes them, one after the other (the history is in the order they happened).
    await publish(settings, exchange_of("grouping"), *(e.envelope(source="grouping") for e in envelopes))

    async def kinds() -> list[str]:
        rows = await probe.rows(
            select(registration_history.c.kind)
            .where(registration_history.c.participant_id == kari)
            .order_by(registration_history.c.at, registration_history.c.id)
        )
        return [r.kind for r in rows]

    await eventually(lambda: _equal(kinds(), ["received", "proposed", "accepted", "placed"]), timeout=30)
    # Only people registered here get entries: the other member is somebody else's.
    assert len(await probe.rows(select(registration_history))) == 4

    page = await staff.get(f"/staff/people/{kari}", params={"reason": "Oppfølging"})
    timeline = page.text.split('id="history"', 1)[1]
    for words in ("Påmelding mottatt", "Foreslått til en gruppe", "Takket ja til gruppen", "Fikk plass"):
        assert words in timeline
    assert str(group_id)[:8] in timeline and "Har fått plass" in page.text
    english = await staff.get(f"/staff/people/{kari}", params={"reason": "Follow-up", "lang": "en"})
    assert "Registration received" in english.text and "Placed in a group that started" in english.text

    # Erased with the person (with the rest of their registration).
    async with probe.service.transaction() as uow:
        await commands.erase(uow.session, uow.outbox, kari, actor="participant")
    assert await probe.rows(select(registration_history)) == []


async def _equal(pending, expected) -> bool:
    return await pending == expected


async def test_staff_register_on_behalf_with_the_public_forms_rules_and_errors(staff, probe):
    page = await staff.get("/staff/register")
    assert page.status_code == 200 and "Jeg samtykker" in page.text  # the public consent text

    bad = await staff.post(
        "/staff/register", data=form(email="not-an-address", municipality="", availability=[], consent="")
    )
    assert bad.status_code == 422
    for message in (
        "Skriv en gyldig e-postadresse",
        "Velg kommunen du bor i.",
        "Kryss av for minst én tid som passer.",
        "Du må samtykke for å kunne melde deg på.",
    ):
        assert message in bad.text
    assert 'value="not-an-address"' in bad.text
    young = await staff.post("/staff/register", data=form(birth_date="01.05.2020"))
    assert young.status_code == 422 and "Du må være 18 år eller eldre" in young.text
    english = await staff.post("/staff/register", data=form(name="", language="en"), params={"lang": "en"})
    assert english.status_code == 422 and "Enter your name." in english.text
    assert await probe.rows(select(registrations)) == []

    done = await staff.post("/staff/register", data=form(), params={"lang": "nb"})
    assert done.status_code == 303
    participant_id = done.headers["location"].split("/staff/people/")[1].split("?")[0]
    [row] = await probe.rows(select(registrations))
    assert (str(row.participant_id), row.source, row.name) == (
        participant_id,
        "district_office",
        "Per Hansen",
    )
    [entry] = await probe.rows(select(audit_log).where(audit_log.c.action == "register"))
    assert (entry.actor, entry.district, str(entry.subject_id)) == ("ane@nord", "nord", participant_id)
    assert len(await probe.events("participant.contact_registered.v1")) == 1  # the person's receipt
    shown = await staff.get(done.headers["location"])
    assert "Personen er meldt på." in shown.text


async def test_staff_correct_a_waiting_registration_with_a_reason(staff, settings, probe):
    kari = await register(staff)
    url = f"/staff/people/{kari}/correct"
    opened = await staff.get(url, params={"reason": "Ringte"})
    assert opened.status_code == 200 and 'value="kari@example.org"' in opened.text

    no_reason = await staff.post(url, data=correction(reason="", municipality="1806"))
    assert no_reason.status_code == 422 and "Skriv hvorfor" in no_reason.text
    invalid = await staff.post(url, data=correction(mobile="12"))
    assert invalid.status_code == 422 and "Skriv et norsk mobilnummer" in invalid.text

    moved = await staff.post(
        url, data=correction(municipality="1806", availability=["wed_evening"], mobile="912 34 567")
    )
    assert moved.status_code == 303 and "done=corrected" in moved.headers["location"]
    [row] = await probe.rows(select(registrations))
    assert (row.municipality, row.availability, row.mobile) == ("1806", ["wed_evening"], "+4791234567")
    [changed] = await probe.events("registration.changed.v1")
    assert changed["data"]["municipality"] == "1806" and changed["data"]["district"] == "nord"
    assert set(changed["data"]["changed"]) == {"municipality", "availability"}
    assert "mobile" not in changed["data"] and "email" not in changed["data"]
    [contact] = await probe.events("participant.contact_changed.v1")
    assert contact["data"]["mobile"] == "+4791234567"
    [entry] = await probe.rows(select(audit_log).where(audit_log.c.action == "correct"))
    assert (entry.actor, entry.reason) == ("ane@nord", "Ringte og ba om endring")
    assert set(entry.fields.split(",")) == {"mobile", "municipality", "availability"}
    page = await staff.get(moved.headers["location"])
    assert "Endringene er lagret" in page.text and "Påmeldingen ble rettet" in page.text

    # Another district's staff: nobody there.
    staff.cookies.set("staff_token", issue_staff_token(settings.keyring(), "ola@oslo", "oslo-ost", ["staff"]))
    assert (await staff.post(url, data=correction())).status_code == 404
    assert (await staff.get(url, params={"reason": "Ringte"})).status_code == 404


async def test_a_placed_registration_cannot_be_corrected_and_says_why(staff, probe):
    kari = await register(staff)
    async with probe.service.sessions() as session, session.begin():
        await session.execute(registrations.update().values(status="placed"))
    url = f"/staff/people/{kari}/correct"
    refused = await staff.post(url, data=correction(municipality="1806"))
    assert refused.status_code == 409
    assert "personen har fått plass i en gruppe" in refused.text
    english = await staff.post(url, data=correction(municipality="1806"), params={"lang": "en"})
    assert "the person has a place in a group" in english.text
    assert await probe.events("registration.changed.v1") == []


async def test_the_person_corrects_their_registration_on_the_status_page(client, probe):
    done = await client.post("/register", data=form(email="kari@example.org", name="Kari"))
    status = done.headers["location"].split("?")[0]
    assert "/change" in (await client.get(status)).text
    page = await client.get(f"{status}/change")
    assert page.status_code == 200 and 'value="kari@example.org"' in page.text

    bad = await client.post(f"{status}/change", data=correction(name="Kari", email="nope"))
    assert bad.status_code == 422 and "Skriv en gyldig e-postadresse" in bad.text
    changed = await client.post(
        f"{status}/change",
        data=correction(
            name="Kari",
            email="kari.ny@example.org",
            topic="anxiety",
            availability=["tue_evening", "thu_evening"],
        ),
    )
    assert changed.status_code == 303 and "done=corrected" in changed.headers["location"]
    assert "Endringene er lagret." in (await client.get(changed.headers["location"])).text
    [row] = await probe.rows(select(registrations))
    assert (row.email, row.topic) == ("kari.ny@example.org", "anxiety")
    assert len(await probe.events("participant.contact_changed.v1")) == 1
    assert (await probe.events("registration.changed.v1"))[0]["data"]["changed"] == ["topic"]
    assert await probe.rows(select(audit_log).where(audit_log.c.action == "correct")) == []
    kinds = [r.kind for r in await probe.rows(select(registration_history.c.kind))]
    assert kinds == ["received", "corrected"]

    async with probe.service.sessions() as session, session.begin():
        await session.execute(registrations.update().values(status="placed"))
    locked = await client.post(f"{status}/change", data=correction(name="Kari", municipality="1806"))
    assert locked.status_code == 409 and "Påmeldingen kan bare endres mens du venter" in locked.text


async def test_while_invited_only_name_contact_and_language_can_be_corrected(staff, settings, probe):
    # Grouping's proposal rests on where, what and when: those wait until the person has answered.
    kari = uuid.UUID(await register(staff))
    group_id = uuid.uuid4()
    proposed = GroupFormed(
        group_id=group_id, district="nord", slot="tue_evening", format="in_person",
        members=[kari, uuid.uuid4()], municipalities=["1804"],
    )  # fmt: skip
    await publish(settings, exchange_of("grouping"), proposed.envelope(source="grouping"))

    async def kinds() -> list[str]:
        return [r.kind for r in await probe.rows(select(registration_history.c.kind))]

    await eventually(lambda: _equal(kinds(), ["received", "proposed"]), timeout=30)
    url = f"/staff/people/{kari}/correct"
    refused = await staff.post(url, data=correction(municipality="1806"))
    assert refused.status_code == 409 and "Personen er invitert til en gruppe" in refused.text
    english = await staff.post(url, data=correction(municipality="1806"), params={"lang": "en"})
    assert "The person is invited to a group" in english.text
    assert await probe.events("registration.changed.v1") == []
    [row] = await probe.rows(select(registrations))
    assert row.municipality == "1804"

    contact_only = await staff.post(
        url, data=correction(availability=list(row.availability), email="k@example.org")
    )
    assert contact_only.status_code == 303, contact_only.text
    assert len(await probe.events("participant.contact_changed.v1")) == 1

    # Declined: waiting again, so the rest may change too.
    declined = InvitationAnswered(group_id=group_id, participant_id=kari, accepted=False)
    await publish(settings, exchange_of("grouping"), declined.envelope(source="grouping"))
    await eventually(lambda: _equal(kinds(), ["received", "proposed", "corrected", "declined"]), timeout=30)
    moved = await staff.post(url, data=correction(municipality="1806", email="k@example.org"))
    assert moved.status_code == 303, moved.text
    [changed] = await probe.events("registration.changed.v1")
    assert changed["data"]["municipality"] == "1806"


async def test_a_correction_checks_the_rules_on_the_unit_of_works_clock_in_norway(staff, probe):
    """The day a correction's rules are checked on is Norway's on the service's clock, not the machine's
    date: the test sets the clock (the person, born 1980-05-01, turns 18 at midnight in Oslo, 22:00 UTC)."""
    kari = await register(staff)
    url = f"/staff/people/{kari}/correct"
    service = probe.service
    try:
        service.clock = lambda: datetime(1979, 6, 1, 12, tzinfo=UTC)
        before_birth = await staff.post(url, data=correction(municipality="1806"))
        assert (
            before_birth.status_code == 422 and "Fødselsdatoen kan ikke være fram i tid." in before_birth.text
        )

        service.clock = lambda: datetime(1998, 4, 30, 21, 30, tzinfo=UTC)  # 23:30 in Oslo: still 17
        too_young = await staff.post(url, data=correction(municipality="1806"))
        assert too_young.status_code == 422 and "Du må være 18 år eller eldre" in too_young.text

        service.clock = lambda: datetime(1998, 4, 30, 22, 30, tzinfo=UTC)  # 00:30 on her birthday in Oslo
        adult = await staff.post(url, data=correction(municipality="1806"))
        assert adult.status_code == 303, adult.text[:500]
    finally:
        service.clock = utc_now
    [row] = await probe.rows(select(registrations))
    assert row.municipality == "1806"
