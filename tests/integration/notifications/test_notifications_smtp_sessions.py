"""The mailer keeps SMTP sessions open between mails, against a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import asyncio
import email
import email.policy
from dataclasses import dataclass
from typing import Any

import pytest
from notifications_support import REFUSED

from services.notifications.channels import DeliveryFailed, Email, SmtpMailer
from services.notifications.sinks import MailSink

pytestmark = pytest.mark.integration


class SessionRecordingSink(MailSink):
    """Also records from which client connection (peer address) each mail came, and drops a session that
    has been idle for `idle_timeout` seconds, as real servers do."""

    peers: list[Any]
    idle_timeout: float = 300.0

    async def start(self) -> SessionRecordingSink:
        from aiosmtpd.smtp import SMTP

        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(self, hostname="sink", loop=loop, timeout=self.idle_timeout), self.host, self.port
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.peers.append(session.peer)
        return await super().handle_DATA(server, session, envelope)


def mail(to: str, n: int) -> Email:
    return Email(to=to, subject=f"mail {n}", text="hei", html="<p>hei</p>", reference=f"r{n}", language="nb")


@pytest.fixture
async def sink():
    sink = SessionRecordingSink(port=0, refuse=lambda address: REFUSED in address)
    sink.peers = []
    yield sink
    await sink.stop()


async def test_mails_sent_one_after_another_share_one_session(settings, sink):
    await sink.start()
    mailer = SmtpMailer(settings.model_copy(update={"smtp_port": sink.port}))
    for n in range(3):
        await mailer.send(mail("kari@example.org", n))

    assert [m.subject for m in sink.received] == ["mail 0", "mail 1", "mail 2"]
    assert len(set(sink.peers)) == 1


async def test_a_refused_recipient_fails_alone_and_the_session_goes_on(settings, sink):
    await sink.start()
    mailer = SmtpMailer(settings.model_copy(update={"smtp_port": sink.port}))
    await mailer.send(mail("kari@example.org", 0))
    with pytest.raises(DeliveryFailed) as refused:
        await mailer.send(mail(f"{REFUSED}@example.org", 1))
    await mailer.send(mail("ola@example.org", 2))

    assert refused.value.permanent and not refused.value.outage
    assert [m.subject for m in sink.received] == ["mail 0", "mail 2"]
    assert len(set(sink.peers)) == 1


async def test_a_session_the_server_closed_meanwhile_is_replaced_without_a_failure(settings, sink):
    sink.idle_timeout = 0.3
    await sink.start()
    mailer = SmtpMailer(settings.model_copy(update={"smtp_port": sink.port}))
    await mailer.send(mail("kari@example.org", 0))
    await asyncio.sleep(1.0)  # the server drops the kept session for idleness

    await mailer.send(mail("kari@example.org", 1))

    assert [m.subject for m in sink.received] == ["mail 0", "mail 1"]
    assert len(set(sink.peers)) == 2


async def test_the_sink_command_writes_files_and_keeps_nothing_in_memory(settings, tmp_path):
    # `selvhjelp notifications sinks` runs for as long as `make run`: a kept copy of every mail would grow.
    sink = await MailSink(port=0, directory=tmp_path, keep=False).start()
    try:
        mailer = SmtpMailer(settings.model_copy(update={"smtp_port": sink.port}))
        for n in range(3):
            await mailer.send(mail("kari@example.org", n))
    finally:
        await sink.stop()

    assert sink.received == []
    written = sorted(tmp_path.glob("*.eml"))
    assert len(written) == 3
    subjects = [
        email.message_from_bytes(f.read_bytes(), policy=email.policy.default)["Subject"] for f in written
    ]
    assert subjects == ["mail 0", "mail 1", "mail 2"]


@dataclass
class RefusingSink(MailSink):
    """Answers MAIL FROM or DATA with a given reply instead of accepting."""

    mail_from_reply: str | None = None
    data_reply: str | None = None

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if self.mail_from_reply:
            return self.mail_from_reply
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return self.data_reply or await super().handle_DATA(server, session, envelope)


@pytest.mark.parametrize(
    ("refusal", "permanent", "outage"),
    [
        # Our sender address or the session refused: our configuration, kept until it is fixed.
        ({"mail_from_reply": "553 5.7.1 Sender address rejected"}, False, True),
        ({"mail_from_reply": "451 4.3.0 Try again later"}, False, True),
        ({"data_reply": "421 4.3.2 Service shutting down"}, False, True),
        # This message refused: it fails alone (5xx) or counts against its own attempts (4xx).
        ({"data_reply": "554 5.6.0 Message content rejected"}, True, False),
        ({"data_reply": "452 4.2.2 Mailbox full"}, False, False),
    ],
)
async def test_what_a_refusal_is_about_decides_whether_it_is_an_outage(settings, refusal, permanent, outage):
    sink = RefusingSink(port=0, **refusal)
    await sink.start()
    try:
        mailer = SmtpMailer(settings.model_copy(update={"smtp_port": sink.port}))
        with pytest.raises(DeliveryFailed) as failed:
            await mailer.send(mail("kari@example.org", 0))
    finally:
        await sink.stop()

    assert (failed.value.permanent, failed.value.outage) == (permanent, outage)


async def test_a_mail_server_that_is_not_there_is_an_outage(settings, sink):
    await sink.start()
    port = sink.port
    await sink.stop()
    mailer = SmtpMailer(settings.model_copy(update={"smtp_port": port}))
    with pytest.raises(DeliveryFailed) as failed:
        await mailer.send(mail("kari@example.org", 0))

    assert failed.value.outage and not failed.value.permanent
