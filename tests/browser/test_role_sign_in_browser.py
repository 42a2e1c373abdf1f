"""A starter, the national coordinator and an operator sign in in real headless Chromium through the real
OpenID provider's own login page (tools/oidc-provider), each lands on its own home and uses its pages: the
starter sees the group it was scheduled for and says it cannot come to a meeting (the district office then
finds it on its replacements page), the coordinator sees figures per district, the operator the services'
health and a dead-letter queue. The four services run as processes with OIDC on and the development
sign-in off, as in production."""

from __future__ import annotations

import re
import uuid

import httpx
import pytest
from playwright.async_api import Browser, Page, expect
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert

from services.calendar.models import starter_bookings, starters, venues
from services.calendar.registry import hours_to_json, parse_hours_text
from shared.db import create_engine, session_factory
from tests.support import eventually
from tests.support.factories import registration_body
from tests.support.oidc import private_provider
from tests.support.system import running_system

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

OLA = "igangsetter.ola@example.org"  # the demo user `igangsetter` (tools/oidc-provider/users.json)


async def ola_gets_a_group(system, settings) -> None:
    """A venue in Bodø and the starter Ola in the calendar, then six people register in Bodø: grouping forms
    a group and the calendar schedules it with Ola."""
    engine = create_engine(settings.database_url, pool_size=1)
    sessions = session_factory(engine)
    try:
        async with sessions() as session, session.begin():
            await session.execute(
                insert(venues).values(
                    id=uuid.uuid4(),
                    municipality="1804",
                    district="nord",
                    name="Bodø bibliotek",
                    address="Bibliotekgata 1",
                    kind="library",
                    capacity=10,
                    accessible=True,
                    opening_hours=hours_to_json(parse_hours_text("tue 16:00-22:00")),
                    blackout_dates=[],
                )
            )
            await session.execute(
                insert(starters).values(
                    id=uuid.uuid4(),
                    district="nord",
                    first_name="Ola",
                    email=OLA,
                    availability=hours_to_json(parse_hours_text("tue 16:00-22:00")),
                )
            )
        async with httpx.AsyncClient(timeout=20) as http:
            for i in range(6):
                body = registration_body(
                    participant={"name": f"Bodø{i} Test", "email": f"bodo{i}@example.org"},
                    gender="female" if i % 2 else "male",
                    availability=["tue_evening"],
                )
                response = await http.post(
                    system.url("registration") + "/api/v1/registrations",
                    json=body,
                    headers={"Idempotency-Key": f"bodo-{i}"},
                )
                assert response.status_code == 202, response.text

        async def booked() -> int:
            async with sessions() as session:
                return await session.scalar(select(func.count()).select_from(starter_bookings))

        await eventually(booked, timeout=120, interval=2)
    finally:
        await engine.dispose()


async def sign_in(browser: Browser, start: str, username: str, password: str) -> Page:
    """A fresh browser (no cookies) opens `start` (our sign-in page, or a page that sends it straight to
    the provider) and signs in on the provider's own login page."""
    context = await browser.new_context(viewport={"width": 1024, "height": 900}, locale="nb-NO")
    context.set_default_timeout(20_000)
    page = await context.new_page()
    await page.goto(start)
    if start.endswith("/staff/sign-in"):
        await page.get_by_role("link", name="Logg inn med lokal testinnlogging").click()
    await expect(page).to_have_url(re.compile(r"/interaction/"))
    await page.get_by_label("Brukernavn").fill(username)
    await page.get_by_label("Passord").fill(password)
    await page.get_by_role("button", name="Logg inn").click()
    return page


async def test_starter_national_and_operator_sign_in_with_the_provider_and_use_their_pages(
    settings, browser, tmp_path
):
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
            sign_in_page = grouping + "/staff/sign-in"
            await ola_gets_a_group(system, settings)

            # The starter lands on its own home (in calendar), sees its group and says it cannot come.
            page = await sign_in(browser, sign_in_page, "igangsetter", "starter-demo-1")
            await expect(page).to_have_url(calendar + "/starter")
            await expect(page.locator(".staff-user")).to_contain_text("igangsetter · nord")
            group = page.locator(".starter-group")
            await expect(group).to_have_count(1)
            await expect(group).to_contain_text("Bodø bibliotek")
            await expect(group).to_contain_text("6 medlemmer")
            await expect(page.locator("#starter-feed")).to_be_visible()
            await group.get_by_role("button", name="Jeg kan ikke komme").first.click()
            await expect(page.get_by_role("status")).to_contain_text("Distriktskontoret er varslet")
            await expect(group.locator(".reported")).to_have_count(1)
            # The district office's pages are not the starter's.
            response = await page.goto(grouping + "/staff")
            assert response is not None and response.status == 403

            # The district office of nord finds it on its replacements page.
            office = await sign_in(browser, calendar + "/staff/replacements", "kontor.nord", "nord-demo-1")
            await expect(office).to_have_url(calendar + "/staff/replacements")
            await expect(office.locator("#replacements")).to_contain_text("Ola")

            # The national coordinator: figures per district, nothing else.
            page = await sign_in(browser, sign_in_page, "nasjonal", "nasjonal-demo-1")
            await expect(page).to_have_url(grouping + "/national")
            await expect(page.locator('#national-figures tr[data-district="nord"]')).to_contain_text("<5")
            response = await page.goto(grouping + "/staff/pool")
            assert response is not None and response.status == 403

            # The operator: the services' health and a dead-letter queue.
            page = await sign_in(browser, sign_in_page, "drift", "drift-demo-1")
            await expect(page).to_have_url(grouping + "/operator")
            await expect(page.locator("#health")).to_contain_text("Klar")
            await expect(page.locator("#health td.flag")).to_have_count(0)  # all four ready
            await page.locator('tr[data-queue="registration.intake.dlq"]').get_by_role("link").click()
            await expect(page).to_have_url(re.compile(r"/operator/dead-letters/registration\.intake\.dlq$"))
            await expect(page.get_by_role("heading", level=1)).to_contain_text("registration.intake.dlq")
            response = await page.goto(grouping + "/national")
            assert response is not None and response.status == 403
