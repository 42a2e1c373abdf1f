"""A district office signs in to the staff console in real headless Chromium through a real OpenID provider's
own login page (tools/oidc-provider), sees its own district only, signs out here and at the provider, and an
expired session asks to sign in again. The four services run as processes with OIDC on and the development
sign-in off, as in production."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.async_api import Page, expect

from shared.auth import issue_staff_token
from tests.support import eventually
from tests.support.factories import registration_body
from tests.support.oidc import private_provider
from tests.support.system import running_system

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def oslo_group(system, settings) -> str:
    """A group of the other district (Oslo og Øst), made the ordinary way: six people register."""
    async with httpx.AsyncClient(timeout=20) as http:
        for i in range(6):
            body = registration_body(
                participant={"name": f"Oslo{i} Test", "email": f"oslo{i}@example.org"},
                gender="female" if i % 2 else "male",
                topic="grief",
                municipality="0301",
                availability=["tue_evening"],
            )
            response = await http.post(
                system.url("registration") + "/api/v1/registrations",
                json=body,
                headers={"Idempotency-Key": f"oslo-{i}"},
            )
            assert response.status_code == 202, response.text
        token = issue_staff_token(settings.keyring(), "test", "oslo-ost", ["staff"])

        async def group_id() -> str | None:
            groups = await http.get(
                system.url("grouping") + "/api/v1/staff/groups", headers={"Authorization": f"Bearer {token}"}
            )
            return groups.json()[0]["group_id"] if groups.status_code == 200 and groups.json() else None

        return await eventually(group_id, timeout=120, interval=2)


async def sign_in_at_provider(page: Page, username: str, password: str) -> None:
    await expect(page).to_have_url(re.compile(r"/interaction/"))  # the provider's own login page
    await page.get_by_label("Brukernavn").fill(username)
    await page.get_by_label("Passord").fill(password)
    await page.get_by_role("button", name="Logg inn").click()


async def test_district_office_signs_in_with_the_provider_and_out_again(settings, page, tmp_path):
    with private_provider(tmp_path / "oidc") as provider:
        env = {
            "OIDC_ISSUER": provider.issuer,
            "OIDC_CLIENT_ID": "selvhjelp-console",
            "OIDC_CLIENT_SECRET": "local-console-secret",
            "OIDC_PROVIDER_NAME": "lokal testinnlogging",
            "DEV_SIGN_IN": "false",
        }
        with running_system(settings, tmp_path / "logs", env) as system:
            grouping, calendar = system.url("grouping"), system.url("calendar")
            other_group = await oslo_group(system, settings)

            # Not signed in: straight to the provider's login page, then back to the page asked for.
            await page.goto(grouping + "/staff")
            await sign_in_at_provider(page, "kontor.nord", "nord-demo-1")
            await expect(page).to_have_url(grouping + "/staff")
            await expect(page.locator(".staff-user")).to_contain_text("kontor.nord · nord")

            # Another service's pages: its own sign-in passes the provider without a login page.
            await page.goto(calendar + "/staff/venues")
            await expect(page).to_have_url(calendar + "/staff/venues")
            await expect(page.locator(".staff-user")).to_contain_text("kontor.nord · nord")

            # Another district's group looks like nobody's.
            response = await page.goto(f"{grouping}/staff/groups/{other_group}")
            assert response is not None and response.status == 404

            # Sign-out: here (every service), then at the provider (RP-initiated logout), then our sign-in page.
            await page.goto(grouping + "/staff")
            await page.get_by_role("link", name="Logg ut").click()
            await page.get_by_role("button", name="Ja, logg meg ut").click()
            await expect(page).to_have_url(re.compile(re.escape(grouping) + r"/staff/sign-in"))
            await expect(page.get_by_role("link", name="Logg inn med lokal testinnlogging")).to_be_visible()
            # The page asks to sign in again: the provider's session has ended too.
            await page.goto(grouping + "/staff")
            await expect(page).to_have_url(re.compile(r"/interaction/"))

            # An expired session (its token's lifetime is over) counts as none.
            expired = issue_staff_token(settings.keyring(), "kontor.nord", "nord", ["staff"], lifetime=-60)
            await page.context.add_cookies([{"name": "staff_token", "value": expired, "url": grouping}])
            await page.goto(grouping + "/staff/pool")
            await expect(page).to_have_url(re.compile(r"/interaction/"))
            await sign_in_at_provider(page, "kontor.nord", "nord-demo-1")
            await expect(page).to_have_url(grouping + "/staff/pool")
