"""The whole flow with all four services running as processes on real RabbitMQ, PostgreSQL and a real SMTP
server: people register → a group forms → a venue, time and starter are found → everyone is invited by
e-mail → they accept through their links → the group starts → one member reports absence → the others
(and not the reporter) are told."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest

from services.calendar.sample import load_sample_into
from services.notifications.sinks import MailSink
from tests.support import eventually
from tests.support.factories import registration_body
from tests.support.system import running_system

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LINK = re.compile(r"https?://[^\s\"'<>]+")


def people(count: int = 6) -> list[dict]:
    today = date.today()
    return [
        registration_body(
            participant={"name": f"Deltaker{i} Test", "email": f"deltaker{i}@example.org"},
            birth_date=(today - timedelta(days=365 * (34 + i))).isoformat(),
            gender="female" if i % 2 else "male",
            topic="grief" if i % 3 else "anxiety",
            municipality="1804",
            availability=["tue_evening"],
        )
        for i in range(count)
    ]


def mails_to(sink: MailSink, address: str) -> list:
    return [mail for mail in sink.received if address in mail.recipients]


def link_in(mail, starts_with: str) -> str:
    for url in LINK.findall(mail.part("plain")):
        if url.startswith(starts_with):
            return url.rstrip(".,)")
    raise AssertionError(f"no {starts_with} link in {mail.subject!r}")


@pytest.fixture
async def mail_sink():
    sink = await MailSink(port=0).start()
    yield sink
    await sink.stop()


async def test_people_register_form_a_group_accept_and_report_absence(settings, mail_sink, tmp_path: Path):
    await load_sample_into(settings.database_url)  # venues and starters in Bodø and Oslo
    env = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mail_sink.port),
        "SMTP_STARTTLS": "false",
        "SMTP_TLS": "false",
    }
    with running_system(settings, tmp_path / "logs", env) as system:
        async with httpx.AsyncClient(timeout=30) as client:
            registered = []
            for body in people():
                response = await client.post(f"{system.url('registration')}/api/v1/registrations", json=body)
                assert response.status_code == 202, response.text
                registered.append((body["participant"]["email"], response.json()))

            # Everyone hears that the registration was received, with their private status link.
            for address, _ in registered:
                await eventually(lambda a=address: _has(mail_sink, a, 1), timeout=60)

            # A group forms, calendar books venue, time and starter, and everyone is invited.
            invitations = {}
            for address, _ in registered:
                mails = await eventually(lambda a=address: _invitation(mail_sink, a), timeout=120)
                invitations[address] = mails
            sample = next(iter(invitations.values()))
            text = sample.part("plain")
            for other, _ in registered:
                if other != sample.recipients[0]:
                    assert other not in text  # no other member's personal data in an invitation
            assert "grief" not in text.lower() and "sorg" not in text.lower()  # nor anyone's topic

            for mail in invitations.values():
                page_url = link_in(mail, f"{system.url('grouping')}/invitations/").split("?")[0]
                page = await client.get(page_url)
                assert page.status_code == 200
                answer = await client.post(page_url, data={"decision": "accept", "confidentiality": "yes"})
                assert answer.status_code == 200, answer.text

            # The group starts; each member gets the first meeting's details with an "I can't come" link.
            first_meetings = {}
            for address, _ in registered:
                first_meetings[address] = await eventually(
                    lambda a=address: _with_link(mail_sink, a, f"{system.url('notifications')}/absence/"),
                    timeout=120,
                )

            reporter = registered[0][0]
            absence_url = link_in(first_meetings[reporter], f"{system.url('notifications')}/absence/")
            confirm_page = await client.get(absence_url)
            assert confirm_page.status_code == 200
            before = {address: len(mails_to(mail_sink, address)) for address, _ in registered}
            reported = await client.post(absence_url)
            assert reported.status_code == 200

            others = [address for address, _ in registered if address != reporter]
            for address in others:
                await eventually(lambda a=address: len(mails_to(mail_sink, a)) > before[a], timeout=60)
            await asyncio.sleep(2)
            assert len(mails_to(mail_sink, reporter)) == before[reporter]  # the reporter is not told
            notice = mails_to(mail_sink, others[0])[-1]
            assert "Deltaker0" in notice.part("plain")  # first name of the absent member only
            assert "Test" not in notice.subject
        logs = system.logs()
    for body in people():
        assert body["participant"]["email"] not in logs  # no contact data in any service's logs
        assert body["participant"]["name"] not in logs


async def _has(sink: MailSink, address: str, count: int) -> bool:
    return len(mails_to(sink, address)) >= count


async def _invitation(sink: MailSink, address: str):
    for mail in mails_to(sink, address):
        if "/invitations/" in mail.part("plain"):
            return mail
    return None


async def _with_link(sink: MailSink, address: str, prefix: str):
    for mail in mails_to(sink, address):
        if prefix in mail.part("plain"):
            return mail
    return None
