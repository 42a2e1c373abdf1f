"""The staff console and the participant pages in a real headless Chromium against all four services
running as processes (real RabbitMQ, PostgreSQL and SMTP sink): a person registers with the form, staff
sign in and see them waiting with reasons and a hint, more people register, a group forms and shows on the
overview and groups pages, members accept through their invitation links, the schedule and calendar link
appear, one member reports absence on the "I can't come" page and the others are told by e-mail.
Screenshots of the main pages go to artifacts/screenshots/ and are copied to docs/screenshots/."""

from __future__ import annotations

import asyncio
import re
import shutil
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Page, expect

from services.calendar.sample import load_sample_into
from services.notifications.sinks import MailSink
from tests.support import eventually
from tests.support.factories import registration_body
from tests.support.system import running_system

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
LINK = re.compile(r"https?://[^\s\"'<>]+")


def people(count: int = 6) -> list[dict]:
    today = date.today()
    return [
        registration_body(
            participant={"name": f"Medlem{i} Test", "email": f"medlem{i}@example.org"},
            birth_date=(today - timedelta(days=365 * (36 + i))).isoformat(),
            gender="female" if i % 2 else "male",
            topic="grief",
            municipality="1804",
            availability=["tue_evening"],
        )
        for i in range(count)
    ]


def mails_to(sink: MailSink, address: str) -> list:
    return [mail for mail in sink.received if address in mail.recipients]


def link_in(mail, starts_with: str) -> str | None:
    for url in LINK.findall(mail.part("plain")):
        if url.startswith(starts_with):
            return url.rstrip(".,)")
    return None


async def first_link(sink: MailSink, address: str, prefix: str) -> str | None:
    for mail in mails_to(sink, address):
        if found := link_in(mail, prefix):
            return found
    return None


async def reload_until(
    page: Page, url: str, locator: str, text: str | re.Pattern, timeout: float = 120
) -> None:
    """Staff pages are plain server-rendered pages: reload until the background work shows."""

    async def shown() -> bool:
        await page.goto(url)
        content = await page.locator(locator).inner_text()
        return bool(re.search(text, content)) if isinstance(text, re.Pattern) else text in content

    await eventually(shown, timeout=timeout, interval=2)


@pytest.fixture
async def mail_sink():
    sink = await MailSink(port=0).start()
    yield sink
    await sink.stop()


async def test_staff_follow_a_person_from_the_form_to_a_group_and_an_absence(
    settings, mail_sink, browser, page, screenshot, tmp_path
):
    await load_sample_into(settings.database_url)
    env = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mail_sink.port),
        "SMTP_STARTTLS": "false",
        "SMTP_TLS": "false",
        "DEV_SIGN_IN": "true",
    }
    shots: list[Path] = []
    with running_system(settings, tmp_path / "logs", env) as system:
        registration, grouping = system.url("registration"), system.url("grouping")
        calendar, notifications = system.url("calendar"), system.url("notifications")

        # 1. A person registers with the public form.
        await page.goto(registration + "/")
        await screenshot(page, "registration-form")
        await page.get_by_label("Navn", exact=True).fill("Kari Nordmann")
        await page.get_by_label("E-post").fill("kari@example.org")
        await page.get_by_label("Fødselsdato").fill(
            (date.today() - timedelta(days=365 * 40)).strftime("%d.%m.%Y")
        )
        await page.get_by_label("Kvinne").check()
        await page.get_by_label("Kommunen du bor i").select_option(label="Bodø")
        await page.get_by_label("Hva ønsker du å jobbe med?").select_option("grief")
        await page.get_by_label("Fysisk, på et møtested i nærheten").check()
        await page.get_by_label("Tirsdag, kveld").check()
        await page.get_by_label(re.compile("^Jeg samtykker")).check()
        await page.get_by_label("Navn", exact=True).press("Enter")
        await expect(page).to_have_url(re.compile(r"/status/"))

        # 2. Staff sign in (development sign-in: pick the district) and land on the overview.
        await page.goto(grouping + "/staff/pool")  # not signed in: sent to the sign-in page, then back
        await expect(page).to_have_url(re.compile(r"/staff/sign-in\?next="))
        await page.get_by_label("Distriktskontor").select_option("nord")
        await page.get_by_label("Ditt navn eller brukernavn").fill("saksbehandler.nord")
        await page.get_by_role("button", name="Logg inn").click()
        await expect(page).to_have_url(grouping + "/staff/pool")
        # The cookie was set on every service by the sign-in hop: other services' pages open directly.
        await page.goto(notifications + "/staff/deliveries")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Meldinger")

        # 3. They see the person waiting, with the planner's reason and a hint of what it would take.
        await eventually(lambda: _has_reasons(page, grouping + "/staff/pool"), timeout=120, interval=2)
        row = page.locator("#pool tbody tr").first
        await expect(row).to_contain_text("Bodø")
        await expect(row.locator(".hint-cell")).to_contain_text("ville gitt en gruppe")
        await expect(row.locator(".reasons")).not_to_be_empty()
        shots.append(await screenshot(page, "staff-pool"))

        # 4. More people register (API), a group forms; staff see it on the overview and groups pages.
        async with httpx.AsyncClient(timeout=30) as client:
            for body in people():
                reply = await client.post(f"{registration}/api/v1/registrations", json=body)
                assert reply.status_code == 202, reply.text
        await reload_until(page, grouping + "/staff/groups", "#groups tbody", "Foreslått", timeout=180)
        shots.append(await screenshot(page, "staff-groups"))
        await page.goto(grouping + "/staff")
        await expect(page.locator(".stats .stat").nth(2).locator("strong")).not_to_have_text("0")  # proposed
        await expect(page.locator("svg.chart").first).to_be_visible()
        shots.append(await screenshot(page, "staff-overview"))

        await page.goto(grouping + "/staff/groups")
        await page.locator("#groups tbody tr a").first.click()
        await expect(page.get_by_role("heading", level=1)).to_contain_text("Gruppe")
        group_url = page.url
        group_id = group_url.rsplit("/", 1)[1]
        await page.get_by_role("button", name="Godkjenn gruppen").click()
        await expect(page.get_by_role("status")).to_contain_text("Gruppen er godkjent")
        shots.append(await screenshot(page, "staff-group"))

        # 5. Members accept through their invitation links (one first forgets the agreement).
        invited = [
            (address, link)
            for address in ["kari@example.org", *(b["participant"]["email"] for b in people())]
            if (link := await first_link(mail_sink, address, f"{grouping}/invitations/"))
        ]
        if len(invited) < 4:
            await eventually(
                lambda: _count_invited(mail_sink, grouping, min_count=4), timeout=120, interval=1
            )
            invited = [
                (address, link)
                for address in ["kari@example.org", *(b["participant"]["email"] for b in people())]
                if (link := await first_link(mail_sink, address, f"{grouping}/invitations/"))
            ]
        member = await browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, locale="nb-NO"
        )
        phone = await member.new_page()
        phone.set_default_timeout(20_000)
        calendar_link = None
        for n, (_, link) in enumerate(invited):
            await phone.goto(link.split("?")[0])
            await expect(phone.get_by_role("heading", level=1)).to_have_text(
                "Invitasjon til en selvhjelpsgruppe"
            )
            if n == 0:
                shots.append(await screenshot(phone, "invitation"))
                await phone.get_by_role("button", name="Ja, jeg blir med").click()
                await expect(phone.get_by_role("alert")).to_contain_text("taushetserklæringen")
                shots.append(await screenshot(phone, "invitation-error"))
            await phone.get_by_label("Jeg bekrefter taushetserklæringen").check()
            await phone.get_by_role("button", name="Ja, jeg blir med").click()
            await expect(phone.get_by_role("status")).to_contain_text("Du er med i gruppen")
            calendar_link = await phone.get_by_role("link", name=re.compile("Se møtene dine")).get_attribute(
                "href"
            )
        shots.append(await screenshot(phone, "invitation-accepted"))

        # 6. The schedule and the calendar link appear (member's page and the staff schedule page).
        assert calendar_link and calendar_link.startswith(f"{calendar}/meetings/")
        await reload_until(phone, calendar_link, "main", re.compile(r"\d{2}\.\d{2}\.\d{4} kl\."), timeout=120)
        subscribe = await phone.locator("#subscribe").get_attribute("href")
        assert subscribe and subscribe.startswith("webcal://") and subscribe.endswith(".ics")
        async with httpx.AsyncClient() as client:
            feed = await client.get(subscribe.replace("webcal://", "http://"))
        assert feed.status_code == 200 and "BEGIN:VEVENT" in feed.text
        shots.append(await screenshot(phone, "my-meetings"))

        await page.goto(f"{calendar}/staff/groups/{group_id}")
        await expect(page.locator("#venue")).not_to_have_text("–")
        await expect(page.locator("#next-meetings li").first).to_be_visible()
        shots.append(await screenshot(page, "staff-schedule"))
        await page.goto(calendar + "/staff/venues")
        await expect(page.locator("#venues")).to_contain_text("Bodø")
        shots.append(await screenshot(page, "staff-venues"))

        # 7. One member reports absence on the "I can't come" page; the others are told.
        addresses = [address for address, _ in invited]
        reporter = addresses[0]
        absence_link = await eventually(
            lambda: first_link(mail_sink, reporter, f"{notifications}/absence/"), timeout=120, interval=1
        )
        before = {a: len(mails_to(mail_sink, a)) for a in addresses}
        await phone.goto(absence_link)
        await expect(phone.get_by_role("heading", level=1)).to_have_text("Kan du ikke komme?")
        shots.append(await screenshot(phone, "absence"))
        await phone.get_by_role("button", name="Ja, gi beskjed til gruppa").click()
        await expect(phone.get_by_role("status")).to_contain_text("De andre i gruppa får beskjed")
        shots.append(await screenshot(phone, "absence-reported"))
        for address in addresses[1:]:
            await eventually(lambda a=address: _more(mail_sink, a, before[a]), timeout=60, interval=1)
        await member.close()

        # 8. The reads and changes are in the audit logs, exportable as CSV; deliveries have no bodies.
        await page.goto(grouping + "/staff/audit")
        await expect(page.locator("table.data")).to_contain_text("approve_group")
        await expect(page.locator("table.data")).to_contain_text("saksbehandler.nord")
        shots.append(await screenshot(page, "staff-audit"))
        async with page.expect_download() as download:
            await page.get_by_role("link", name="Last ned som CSV").click()
        exported = await (await download.value).path()
        assert "approve_group" in await asyncio.to_thread(Path(exported).read_text)

        await page.goto(f"{registration}/staff/people/{(await _participant_of(page, grouping, group_id))}")
        await page.get_by_label("Hvorfor trenger du å se opplysningene?").fill("Oppfølging av fravær")
        await page.get_by_role("button", name="Vis opplysningene").click()
        await expect(page.locator("main")).to_contain_text("@example.org")
        await page.goto(registration + "/staff/audit")
        await expect(page.locator("table.data")).to_contain_text("Oppfølging av fravær")
        shots.append(await screenshot(page, "staff-audit-registration"))
        await page.goto(notifications + "/staff/deliveries")
        await expect(page.locator("#deliveries")).to_contain_text("Sendt")
        await expect(page.locator("#deliveries")).not_to_contain_text("@example.org")
        shots.append(await screenshot(page, "staff-deliveries"))
        logs = system.logs()
    assert "kari@example.org" not in logs and "Kari Nordmann" not in logs

    DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for shot in [*shots, shots[0].with_name("registration-form.png")]:
        shutil.copy(shot, DOCS_SCREENSHOTS / shot.name)


async def _has_reasons(page: Page, url: str) -> bool:
    await page.goto(url)
    return await page.locator("#pool .reasons li").count() > 0


async def _count_invited(sink: MailSink, grouping: str, min_count: int) -> bool:
    return sum(f"{grouping}/invitations/" in m.part("plain") for m in sink.received) >= min_count


async def _more(sink: MailSink, address: str, count: int) -> bool:
    return len(mails_to(sink, address)) > count


async def _participant_of(page: Page, grouping: str, group_id: str) -> str:
    await page.goto(f"{grouping}/staff/groups/{group_id}")
    href = await page.locator("#members tbody tr a").first.get_attribute("href")
    return href.rsplit("/", 1)[1]
