"""What would get a waiting person a group sooner, through all four services on real RabbitMQ, PostgreSQL and
an SMTP server: someone who only meets in person waits while three people nearby wait for a digital group;
grouping finds that digital groups would do it, the person is told by e-mail (after NUDGE_AFTER_DAYS, 0 here),
takes the option with one click on the status page, and the planner then forms a group with them."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from services.calendar.sample import load_sample_into
from services.notifications.sinks import MailSink
from shared.clock import norway_today
from shared.sample import registration_body
from tests.support import eventually
from tests.support.system import running_system

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LINK = re.compile(r"https?://[^\s\"'<>]+")


def person(index: int, format: str) -> dict:
    return registration_body(
        participant={"name": f"Venter{index} Test", "email": f"venter{index}@example.org"},
        birth_date=(norway_today() - timedelta(days=365 * (38 + index))).isoformat(),
        format=format,
        municipality="1804",
        availability=["tue_evening"],
        language="en",
    )


@pytest.fixture
async def mail_sink():
    sink = await MailSink(port=0).start()
    yield sink
    await sink.stop()


def mails_to(sink: MailSink, address: str, subject: str | None = None) -> list:
    return [m for m in sink.received if address in m.recipients and (subject is None or m.subject == subject)]


async def test_a_waiting_person_takes_the_digital_option_and_gets_a_group(
    settings, mail_sink, tmp_path: Path
):
    await load_sample_into(settings.database_url)  # venues and starters in Bodø
    env = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mail_sink.port),
        "SMTP_STARTTLS": "false",
        "SMTP_TLS": "false",
        "NUDGE_AFTER_DAYS": "0",
        "NUDGE_INTERVAL_SECONDS": "2",
    }
    digital = [person(i, "digital") for i in range(3)]
    me = person(9, "in_person")
    address = me["participant"]["email"]
    with running_system(settings, tmp_path / "logs", env) as system:
        async with httpx.AsyncClient(timeout=30) as client:
            for body in (*digital, me):
                response = await client.post(f"{system.url('registration')}/api/v1/registrations", json=body)
                assert response.status_code == 202, response.text

            nudge = (
                await eventually(
                    lambda: mails_to(mail_sink, address, "What would get you a group sooner"), timeout=120
                )
            )[0]
            text = nudge.part("plain")
            assert "digital group" in text
            for other in digital:  # nothing about the others but that enough of them wait
                assert other["participant"]["name"].split()[0] not in text
            status_url = next(u for u in LINK.findall(text) if "/status/" in u)

            page = await client.get(f"{status_url}?lang=en")  # the reader's choice, remembered
            assert page.status_code == 200 and 'id="option-digital"' in page.text
            assert not any("/invitations/" in m.part("plain") for m in mails_to(mail_sink, address))

            taken = await client.post(f"{status_url}/options/digital", follow_redirects=True)
            assert taken.status_code == 200 and 'id="option-notice"' in taken.text
            assert 'id="option-digital"' not in taken.text  # taken: the option is gone from the page
            again = await client.post(f"{status_url}/options/digital", follow_redirects=True)
            assert "no longer applies" in again.text  # a second click changes nothing

            # Now open to digital groups too: the planner forms a group of the four, and each is invited.
            for body in (*digital, me):
                email = body["participant"]["email"]
                await eventually(
                    lambda e=email: any("/invitations/" in m.part("plain") for m in mails_to(mail_sink, e)),
                    timeout=180,
                )
            assert len(mails_to(mail_sink, address, "What would get you a group sooner")) == 1
