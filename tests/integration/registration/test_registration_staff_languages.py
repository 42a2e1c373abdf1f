"""Registration's staff pages in the reader's language: bokmål by default, nynorsk and English by `?lang=`
(remembered in a cookie), with `<html lang>` to match."""

from __future__ import annotations

import pytest

from shared.auth import issue_staff_token
from tests.support.factories import registration_body

pytestmark = pytest.mark.integration


@pytest.fixture
def signed_in(client, settings):
    client.cookies.set("staff_token", issue_staff_token(settings.keyring(), "ane", "nord", ["staff"]))
    return client


async def test_the_person_and_audit_pages_follow_the_chosen_language(signed_in):
    reply = await signed_in.post("/api/v1/registrations", json=registration_body(municipality="1804"))
    person = f"/staff/people/{reply.json()['registration_id']}"

    bokmal = await signed_in.get(person)
    assert bokmal.status_code == 200 and '<html lang="nb">' in bokmal.text
    assert "Hvorfor trenger du å se opplysningene?" in bokmal.text

    nynorsk = await signed_in.get(person, params={"lang": "nn"})
    assert '<html lang="nn">' in nynorsk.text and "Kvifor treng du å sjå opplysningane?" in nynorsk.text
    assert "Logg: påmeldingar" in nynorsk.text  # the console's navigation follows too

    english = await signed_in.get("/staff/audit", params={"lang": "en"})
    assert '<html lang="en">' in english.text and "<h1>Log: registrations</h1>" in english.text
    assert "Download as CSV" in english.text and "Sign out" in english.text

    remembered = await signed_in.get(person, params={"reason": "x"})  # the cookie keeps English
    assert '<html lang="en">' in remembered.text
    assert "Say why you need to see the details" in remembered.text
