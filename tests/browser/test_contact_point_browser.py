"""A contact point in real headless Chromium, signed in through the local OpenID provider's own login
page: it lands on its own home (not the staff overview), registers a person on their behalf with the
public form, sees that registration's status, the counts of its municipalities, and adds a venue. The four
services run as processes with OIDC on and the development sign-in off, as in production."""

from __future__ import annotations

import asyncio
import re

import pytest
from playwright.async_api import expect

from tests.browser.test_oidc_sign_in_browser import sign_in_at_provider
from tests.support.oidc import private_provider
from tests.support.system import running_system

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def test_a_contact_point_signs_in_registers_a_person_and_adds_a_venue(settings, page, tmp_path):
    with private_provider(tmp_path / "oidc") as provider:
        env = {
            "OIDC_ISSUER": provider.issuer,
            "OIDC_CLIENT_ID": "selvhjelp-console",
            "OIDC_CLIENT_SECRET": "local-console-secret",
            "OIDC_PROVIDER_NAME": "lokal testinnlogging",
            "DEV_SIGN_IN": "false",
        }
        with running_system(settings, tmp_path / "logs", env) as system:
            grouping, registration, calendar = (
                system.url("grouping"),
                system.url("registration"),
                system.url("calendar"),
            )

            # Sign in from the sign-in page: the contact point lands on its own home.
            await page.goto(grouping + "/staff/sign-in")
            await page.get_by_role("link", name="Logg inn med lokal testinnlogging").click()
            await sign_in_at_provider(page, "kontakt.bodo", "kontakt-demo-1")
            await expect(page).to_have_url(grouping + "/contact")
            await expect(page.get_by_role("heading", level=1)).to_have_text("Kontaktpunkt")
            await expect(page.locator(".staff-user")).to_contain_text("kontakt.bodo · 1804, 1806")

            # Register a person on their behalf: the public form, in registration's own sign-in.
            await page.get_by_role("link", name="Meld på en person").first.click()
            await expect(page).to_have_url(registration + "/contact/register")
            await expect(page.get_by_role("heading", level=1)).to_have_text("Meld på en person")
            await page.get_by_label("Navn", exact=True).fill("Kari Kontakt")
            await page.get_by_label("E-post").fill("kari.kontakt@example.org")
            await page.get_by_label("Fødselsdato").fill("27.03.1985")
            await page.get_by_label("Kvinne").check()
            await page.get_by_label("Kommunen du bor i").select_option(label="Bodø")
            await page.get_by_label("Hva ønsker du å jobbe med?").select_option("grief")
            await page.get_by_label("Fysisk, på et møtested i nærheten").check()
            await page.get_by_label("Tirsdag, kveld").check()
            await page.get_by_label(re.compile("^Jeg samtykker")).check()
            await page.get_by_label("Navn", exact=True).press("Enter")

            # The status of the registrations it submitted.
            await expect(page).to_have_url(re.compile(re.escape(registration) + r"/contact/registrations"))
            await expect(page.get_by_role("status")).to_contain_text("Personen er meldt på.")
            row = page.locator("#registrations tbody tr").first
            await expect(row).to_contain_text("Kari Kontakt")
            await expect(row).to_contain_text("Venter på en gruppe")

            # The counts: the person reaches grouping's pool through the broker.
            bodo = page.locator("#counts tbody tr", has_text="Bodø").locator("td").nth(1)
            for _ in range(60):
                await page.goto(grouping + "/contact")
                if await bodo.inner_text() == "1":
                    break
                await asyncio.sleep(1)
            await expect(bodo).to_have_text("1")

            # A venue in its municipality.
            await page.get_by_role("link", name="Møtesteder i kommunene dine").click()
            await expect(page).to_have_url(calendar + "/contact/venues")
            await page.get_by_label("Kommune", exact=True).select_option(label="Narvik")
            await page.get_by_label("Navn", exact=True).fill("Narvik frivilligsentral")
            await page.get_by_label("Trinnfri adkomst og HC-toalett").check()
            await page.get_by_label("Åpningstider").fill("tue 17:00-21:00")
            await page.get_by_role("button", name="Registrer møtested").click()
            await expect(page).to_have_url(re.compile(re.escape(calendar) + r"/contact/venues\?done="))
            await expect(page.get_by_role("status")).to_contain_text("Narvik frivilligsentral er registrert.")
            await expect(page.locator("#venues")).to_contain_text("Narvik frivilligsentral")

            # The district office's overview is not the contact point's: 403.
            response = await page.goto(grouping + "/staff")
            assert response is not None and response.status == 403
