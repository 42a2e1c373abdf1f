"""The district office's people pages in a real headless Chromium, in bokmål and in English: find a person
(with a reason), open them and read their history, correct their registration (another municipality and
another evening), and register someone on their behalf; the outcome is checked in the database."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect
from sqlalchemy import select

from services.registration.app import create_app
from services.registration.models import audit_log, outbox, registrations
from shared.auth import issue_staff_token
from tests.support.factories import registration_body

pytestmark = pytest.mark.e2e

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

WORDS = {
    "nb": {
        "query": "Navn, e-post, mobil eller påmeldings-id",
        "reason": "Hvorfor trenger du å finne personen? (logges)",
        "search": "Søk",
        "open": "Åpne",
        "received": "Påmelding mottatt",
        "correct": "Rett påmeldingen",
        "correct_reason": "Hvorfor retter du påmeldingen? (logges)",
        "municipality": "Kommunen du bor i",
        "wednesday": "Onsdag, kveld",
        "save": "Lagre endringene",
        "saved": "Endringene er lagret",
        "corrected": "Påmeldingen ble rettet",
        "register": "Meld på en person",
        "name": "Navn",
        "email": "E-post",
        "birth_date": "Fødselsdato",
        "gender": "Mann",
        "topic": "Hva ønsker du å jobbe med?",
        "tuesday": "Tirsdag, kveld",
        "consent": "^Jeg samtykker",
        "submit": "Meld på",
        "registered": "Personen er meldt på.",
        "error": "Skriv en gyldig e-postadresse",
    },
    "en": {
        "query": "Name, e-mail, mobile or registration id",
        "reason": "Why do you need to find the person? (logged)",
        "search": "Search",
        "open": "Open",
        "received": "Registration received",
        "correct": "Correct the registration",
        "correct_reason": "Why are you correcting the registration? (logged)",
        "municipality": "Municipality you live in",
        "wednesday": "Wednesday, evening",
        "save": "Save the changes",
        "saved": "The changes are saved",
        "corrected": "Registration corrected",
        "register": "Register a person",
        "name": "Name",
        "email": "E-mail",
        "birth_date": "Date of birth",
        "gender": "Man",
        "topic": "What do you want to work on?",
        "tuesday": "Tuesday, evening",
        "consent": "^I agree",
        "submit": "Register",
        "registered": "The person is registered.",
        "error": "valid e-mail",
    },
}


@pytest.fixture
async def app(settings):
    return create_app(settings)


async def rows(app, statement) -> list:
    async with app.state.service.sessions() as session:
        return list((await session.execute(statement)).all())


async def signed_in(page: Page, settings, base_url: str) -> None:
    """The staff cookie as the sign-in leaves it (the sign-in itself is the OIDC and console tests')."""
    token = issue_staff_token(settings.keyring(), "saksbehandler.nord", "nord", ["staff"])
    await page.context.add_cookies([{"name": "staff_token", "value": token, "url": base_url}])


@pytest.mark.parametrize("language", ["nb", "en"])
async def test_staff_find_open_correct_and_register_on_behalf(
    language, app, settings, serve, page, screenshot
):
    w = WORDS[language]
    surname = {"nb": "Nordmann", "en": "Northman"}[language]
    async with serve(app) as base_url:
        async with httpx.AsyncClient() as client:
            body = registration_body(
                birth_date="1980-05-01", participant={"name": f"Kari {surname}", "email": "kari@example.org"}
            )
            reply = await client.post(f"{base_url}/api/v1/registrations", json=body)
            assert reply.status_code == 202
        kari = reply.json()["registration_id"]
        await signed_in(page, settings, base_url)

        # Find: the search asks for a reason and shows only this district's people.
        await page.goto(f"{base_url}/staff/people?lang={language}")
        await page.get_by_label(w["query"]).fill(surname.lower())
        await page.get_by_label(w["reason"]).fill("Kari ringte")
        await page.get_by_role("button", name=w["search"]).click()
        await expect(page.locator("#results")).to_contain_text(f"Kari {surname}")
        search_shot = await screenshot(page, f"staff-people-search-{language}")

        # Open: the details and the history, as a timeline.
        await page.get_by_role("link", name=w["open"]).click()
        await expect(page.locator("#history")).to_contain_text(w["received"])

        # Correct: another municipality and another evening, with a reason.
        await page.get_by_role("link", name=w["correct"]).click()
        await page.get_by_label(w["correct_reason"]).fill("Har flyttet til Narvik")
        await page.get_by_label(w["municipality"]).select_option(label="Narvik")
        await page.get_by_label(w["wednesday"]).check()
        await page.get_by_role("button", name=w["save"]).click()
        await expect(page.get_by_role("status")).to_contain_text(w["saved"])
        await expect(page.locator("#history")).to_contain_text(w["corrected"])
        person_shot = await screenshot(page, f"staff-person-{language}")
        [row] = await rows(app, select(registrations).where(registrations.c.participant_id == kari))
        assert (row.municipality, row.availability) == ("1806", ["tue_evening", "wed_evening"])
        [changed] = await rows(
            app, select(outbox.c.payload).where(outbox.c.event_type == "registration.changed.v1")
        )
        assert changed.payload["data"]["municipality"] == "1806"
        [audited] = await rows(app, select(audit_log).where(audit_log.c.action == "correct"))
        assert (audited.actor, audited.reason) == ("saksbehandler.nord", "Har flyttet til Narvik")

        # Register on someone's behalf: the public form's fields and errors, then the person's page.
        await page.goto(f"{base_url}/staff/people")
        await page.get_by_role("link", name=w["register"]).click()
        await page.get_by_label(w["name"], exact=True).fill("Per Hansen")
        await page.get_by_label(w["email"]).fill("not-an-address")
        await page.get_by_label(w["birth_date"]).fill("01.05.1975")
        await page.get_by_label(w["gender"], exact=True).check()
        await page.get_by_label(w["municipality"]).select_option(label="Bodø")
        await page.get_by_label(w["topic"]).select_option("grief")
        await page.get_by_label(w["tuesday"]).check()
        await page.get_by_label(re.compile(w["consent"])).check()
        await page.get_by_role("button", name=w["submit"], exact=True).click()
        await expect(page.get_by_role("alert")).to_contain_text(w["error"])
        await page.get_by_label(w["email"]).fill("per@example.org")
        await page.get_by_role("button", name=w["submit"], exact=True).click()
        await expect(page.get_by_role("status")).to_contain_text(w["registered"])
        await screenshot(page, f"staff-register-{language}")
        [per] = await rows(app, select(registrations).where(registrations.c.name == "Per Hansen"))
        assert (per.source, per.email, per.municipality) == ("district_office", "per@example.org", "1804")
        [entry] = await rows(app, select(audit_log).where(audit_log.c.action == "register"))
        assert (entry.actor, entry.subject_id) == ("saksbehandler.nord", per.participant_id)
    if language == "nb":  # the README shows the bokmål pages
        for shot, name in ((search_shot, "staff-search.png"), (person_shot, "staff-person.png")):
            shutil.copy(shot, DOCS_SCREENSHOTS / name)
