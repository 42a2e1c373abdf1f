"""The sign-up form in a real headless Chromium: a person fills it in and reaches their status page; bad
input shows the error summary with a message at each field; all of it with plain HTML and the keyboard."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.async_api import expect

from services.registration.app import create_app

pytestmark = pytest.mark.e2e


@pytest.fixture
async def base_url(settings, serve):
    async with serve(create_app(settings)) as url:
        yield url


async def test_a_person_signs_up_and_sees_their_private_status_page(page, base_url, screenshot):
    await page.goto(base_url + "/")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Meld deg på en selvhjelpsgruppe")
    await screenshot(page, "registration-form-nb")

    # Every control is found by its visible label, as a screen reader user would find it.
    await page.get_by_label("Navn", exact=True).fill("Kari")
    await page.get_by_label("E-post").fill("kari@example.org")
    await page.get_by_label("Fødselsdato").fill(
        (date.today() - timedelta(days=365 * 45)).strftime("%d.%m.%Y")
    )
    await page.get_by_label("Kvinne").check()
    await page.get_by_label("Kommunen du bor i").select_option(label="Bodø")
    await page.get_by_label("Hva ønsker du å jobbe med?").select_option("grief")
    await page.get_by_label("Fysisk, på et møtested i nærheten").check()
    await page.get_by_label("Tirsdag, kveld").check()
    await page.get_by_label("Torsdag, kveld").check()
    await page.get_by_label(re.compile("^Jeg samtykker")).check()
    # The keyboard submits it: Enter in a text field sends the form, no JavaScript involved.
    await page.get_by_label("Navn", exact=True).press("Enter")

    await expect(page).to_have_url(re.compile(r"/status/[^/]+\?done=registered$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("Påmeldingen din")
    await expect(page.get_by_role("status")).to_contain_text("Takk! Du er meldt på.")
    await expect(page.locator("#status")).to_have_text("Venter på en gruppe")
    await screenshot(page, "registration-status-nb")

    # Change the times on the status page.
    await page.get_by_label("Lørdag, dagtid").check()
    await page.get_by_role("button", name="Lagre tidene").click()
    await expect(page.get_by_role("status")).to_contain_text("Tidene dine er lagret.")
    await expect(page.locator("dd ul")).to_contain_text("Lørdag, dagtid")

    # Withdraw, after the confirmation step.
    await page.get_by_role("link", name="Trekk meg").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Vil du trekke deg?")
    await page.get_by_role("button", name="Ja, trekk meg").click()
    await expect(page.locator("#status")).to_have_text("Trukket")
    await screenshot(page, "registration-status-withdrawn-nb")


async def test_bad_input_shows_the_error_summary_and_a_message_at_each_field(page, base_url, screenshot):
    await page.goto(base_url + "/?lang=en")
    await page.get_by_label("Name", exact=True).fill("Ola")
    await page.get_by_label("E-mail").fill("not-an-address")
    await page.get_by_role("button", name="Sign me up").click()

    summary = page.get_by_role("alert")
    await expect(summary).to_be_visible()
    await expect(summary).to_be_focused()  # announced and read first
    await expect(summary.get_by_role("heading")).to_have_text("Something needs fixing before you can sign up")
    for message in (
        "Enter a valid e-mail address",
        "Enter your date of birth",
        "Choose a gender.",
        "Choose the municipality you live in.",
        "Tick at least one time that suits you.",
        "You must agree to be able to sign up.",
    ):
        await expect(summary.get_by_role("link", name=re.compile(re.escape(message)))).to_be_visible()
    await expect(page).to_have_title(re.compile("^Error: "))
    await expect(page.get_by_label("Name", exact=True)).to_have_value("Ola")  # what was typed is kept
    email = page.get_by_label("E-mail")
    await expect(email).to_have_attribute("aria-invalid", "true")
    await expect(page.locator("#error-email")).to_contain_text("Enter a valid e-mail address")
    await screenshot(page, "registration-form-errors-en")

    await summary.get_by_role("link", name=re.compile("Choose the municipality")).click()
    await expect(page).to_have_url(re.compile("#field-municipality$"))

    await page.get_by_label("E-mail").fill("ola@example.org")
    await page.get_by_label("Date of birth").fill(
        (date.today() - timedelta(days=365 * 16)).strftime("%d.%m.%Y")
    )
    await page.get_by_label("Man", exact=True).check()
    await page.get_by_label("Municipality you live in").select_option("0301")
    await page.get_by_label("What do you want to work on?").select_option("anxiety")
    await page.get_by_label("Monday, evening").check()
    await page.get_by_label(re.compile("^I agree")).check()
    await page.get_by_role("button", name="Sign me up").click()
    await expect(page.get_by_role("alert")).to_contain_text(
        "You must be 18 or older to join a self-help group."
    )
    await expect(page.locator("#error-birth_date")).to_be_visible()


async def test_the_form_is_usable_on_a_phone_and_starts_with_a_skip_link(browser, base_url, screenshot):
    context = await browser.new_context(
        viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    try:
        phone = await context.new_page()
        await phone.goto(base_url + "/?lang=nn")
        await expect(phone.get_by_role("heading", level=1)).to_have_text("Meld deg på ei sjølvhjelpsgruppe")
        no_sideways_scroll = await phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert no_sideways_scroll
        await phone.keyboard.press("Tab")
        await expect(phone.get_by_role("link", name="Gå til hovudinnhaldet")).to_be_focused()
        await screenshot(phone, "registration-form-nn-phone")
    finally:
        await context.close()
