"""A contact point registers people on their behalf (the public form's rules, `source=contact_point`,
`submitted_by`), in its own municipalities only, and sees the status of those it registered: name,
status and since when, never the topic, every read audited. Each route against each role of the matrix
(tests/support/contact_point_matrix.py)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.registration.models import audit_log, registrations
from tests.support.contact_point_matrix import (
    CONTACT_POINT,
    OTHER_CONTACT_POINT,
    SIGN_UP_FORM,
    STAFF,
    case_id,
    cases_of,
    session_cookie,
)

pytestmark = pytest.mark.integration


def sign_in(client, settings, role: str):
    client.cookies.clear()
    cookie = session_cookie(settings.keyring(), role)
    if cookie:
        client.cookies.set("staff_token", cookie)
    return client


@pytest.mark.parametrize(("case", "role"), cases_of("registration"), ids=case_id)
async def test_each_route_answers_each_role_as_the_matrix_says(client, settings, case, role):
    sign_in(client, settings, role)
    if case.method == "GET":
        response = await client.get(case.url())
    else:
        response = await client.post(case.url(), data=case.form)
    assert response.status_code == case.expected[role], response.text[:500]


async def test_a_contact_point_registers_a_person_who_is_marked_as_theirs(client, settings, probe):
    sign_in(client, settings, CONTACT_POINT)
    form = await client.get("/contact/register")
    assert form.status_code == 200
    # The same form as the public one (its consent text), offering only the contact point's municipalities.
    assert 'action="/contact/register"' in form.text and 'name="consent"' in form.text
    assert '<option value="1804"' in form.text and '<option value="1806"' in form.text
    assert '<option value="0301"' not in form.text

    response = await client.post("/contact/register", data=SIGN_UP_FORM)
    assert response.status_code == 303 and response.headers["location"].startswith("/contact/registrations")
    again = await client.post("/contact/register", data=SIGN_UP_FORM)  # a double click registers once
    assert again.status_code == 303
    rows = await probe.rows(
        select(registrations.c.source, registrations.c.submitted_by, registrations.c.name)
    )
    assert [(r.source, r.submitted_by, r.name) for r in rows] == [
        ("contact_point", "kontakt.bodo", "Kari Kontakt")
    ]
    assert len(await probe.events("registration.accepted.v1")) == 1  # grouping hears of them once


async def test_the_forms_rules_and_errors_are_the_public_ones(client, settings, probe):
    sign_in(client, settings, CONTACT_POINT)
    no_consent = await client.post("/contact/register", data={**SIGN_UP_FORM, "consent": ""})
    assert no_consent.status_code == 422
    assert "Du må samtykke for å kunne melde deg på." in no_consent.text
    too_young = await client.post("/contact/register", data={**SIGN_UP_FORM, "birth_date": "01.01.2015"})
    assert too_young.status_code == 422
    assert "Du må være 18 år eller eldre for å melde deg på en selvhjelpsgruppe." in too_young.text
    outside = await client.post("/contact/register", data={**SIGN_UP_FORM, "municipality": "0301"})
    assert outside.status_code == 422
    assert "Velg en av kommunene du er kontaktpunkt for." in outside.text
    assert await probe.rows(select(registrations.c.participant_id)) == []


async def test_the_status_list_shows_only_its_own_without_the_topic_and_every_read_is_audited(
    client, settings, probe
):
    sign_in(client, settings, CONTACT_POINT)
    await client.post("/contact/register", data=SIGN_UP_FORM)
    # Someone who registered themselves in the same municipality is not the contact point's.
    public = await client.post("/api/v1/registrations", json=_self_registration())
    assert public.status_code == 202

    mine = await client.get("/contact/registrations")
    assert mine.status_code == 200
    assert "Kari Kontakt" in mine.text and "Selv Påmeldt" not in mine.text
    assert "Venter på en gruppe" in mine.text
    assert "Sorg" not in mine.text and "grief" not in mine.text  # never the topic

    english = await client.get("/contact/registrations", params={"lang": "en"})
    assert '<html lang="en">' in english.text and "<h1>Your registrations</h1>" in english.text
    nynorsk = await client.get("/contact/registrations", params={"lang": "nn"})
    assert "<h1>Påmeldingane dine</h1>" in nynorsk.text

    sign_in(client, settings, OTHER_CONTACT_POINT)
    other = await client.get("/contact/registrations")
    assert other.status_code == 200 and "Kari Kontakt" not in other.text

    entries = await probe.rows(select(audit_log).where(audit_log.c.action == "read").order_by(audit_log.c.id))
    assert len(entries) == 3  # three reads by the contact point, one person each; the other read nothing
    assert {(e.actor, e.action, e.district, e.fields) for e in entries} == {
        ("kontakt.bodo", "read", "nord", "name,status")
    }
    # Who, in which role and with which scope, and why: each in its own column (issue 20).
    assert {(e.role, e.scope, e.reason) for e in entries} == {
        ("contact_point", "municipalities:1804,1806", "the status of the registrations it submitted")
    }

    # The district office sees the reader's role and scope on its audit page and in the CSV.
    sign_in(client, settings, STAFF)
    audit_page = await client.get("/staff/audit", params={"lang": "en"})
    assert "<td>kontakt.bodo</td><td>contact point</td><td>1804, 1806</td>" in audit_page.text
    exported = (await client.get("/staff/audit.csv")).text.splitlines()
    assert exported[0].startswith("at,actor,role,scope,action,subject_id,")
    assert ',kontakt.bodo,contact_point,"municipalities:1804,1806",read,' in exported[1]


async def test_a_staff_members_search_is_audited_with_their_role_and_district(client, settings, probe):
    sign_in(client, settings, CONTACT_POINT)
    await client.post("/contact/register", data=SIGN_UP_FORM)
    sign_in(client, settings, STAFF)
    found = await client.get("/staff/people", params={"q": "Kari", "reason": "she phoned"})
    assert found.status_code == 200 and "Kari Kontakt" in found.text
    [entry] = await probe.rows(select(audit_log).where(audit_log.c.action == "search"))
    assert (entry.role, entry.scope, entry.reason) == ("staff", "district:nord", "she phoned")
    # What the registering contact point wrote is audited in its role too, without naming it by hand.
    [registered] = await probe.rows(select(audit_log).where(audit_log.c.action != "search"))
    assert (registered.role, registered.scope) == ("contact_point", "municipalities:1804,1806")


async def test_district_office_staff_cannot_use_the_contact_points_pages(client, settings):
    sign_in(client, settings, STAFF)
    response = await client.get("/contact/registrations")
    assert response.status_code == 403 and "only a contact point" in response.text


def _self_registration() -> dict:
    from tests.support.factories import registration_body

    return registration_body(
        participant={"name": "Selv Påmeldt", "email": "selv@example.org"}, municipality="1804"
    )
