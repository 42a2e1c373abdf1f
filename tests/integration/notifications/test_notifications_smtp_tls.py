"""Mail goes over TLS whenever the server offers STARTTLS, without a setting to ask for it; and outside
development the relay password is never sent over a session that is not encrypted. Against a real SMTP
server (aiosmtpd) with a certificate from a CA made for the test (trustme)."""

from __future__ import annotations

import asyncio
import ssl
from dataclasses import dataclass, field
from typing import Any

import pytest
import trustme

from services.notifications.channels import DeliveryFailed, Email, SmtpMailer
from services.notifications.sinks import MailSink

pytestmark = pytest.mark.integration

MAIL = Email(
    to="kari@example.org", subject="hei", text="hei", html="<p>hei</p>", reference="r1", language="nb"
)


@dataclass
class TlsSink(MailSink):
    """Offers STARTTLS when given a TLS context, and records whether each mail came encrypted. Takes
    AUTH even without TLS (as a careless or hostile server would) and records every password it saw."""

    tls_context: ssl.SSLContext | None = None
    encrypted: list[bool] = field(default_factory=list)
    passwords: list[bytes] = field(default_factory=list)

    def _authenticate(self, server, session, envelope, mechanism, auth_data) -> Any:
        from aiosmtpd.smtp import AuthResult

        self.passwords.append(auth_data.password)
        return AuthResult(success=True)

    async def start(self) -> TlsSink:
        from aiosmtpd.smtp import SMTP

        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(
                self,
                hostname="sink",
                loop=loop,
                tls_context=self.tls_context,
                authenticator=self._authenticate,
                auth_require_tls=False,
            ),
            self.host,
            self.port,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.encrypted.append(session.ssl is not None)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def ca(tmp_path):
    authority = trustme.CA()
    authority.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    return authority, str(tmp_path / "ca.pem")


async def test_mail_is_encrypted_whenever_the_server_offers_starttls(settings, ca):
    authority, ca_file = ca
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("127.0.0.1").configure_cert(context)
    sink = await TlsSink(port=0, tls_context=context).start()
    try:
        # The defaults: neither SMTP_TLS nor SMTP_STARTTLS asked for.
        mailer = SmtpMailer(settings.model_copy(update={"smtp_port": sink.port, "smtp_ca_file": ca_file}))
        await mailer.send(MAIL)
    finally:
        await sink.stop()

    assert [m.subject for m in sink.received] == ["hei"]
    assert sink.encrypted == [True]


async def test_outside_development_a_password_is_not_sent_to_a_server_without_tls(settings):
    # Offers no STARTTLS but takes AUTH, as a server in the path stripping STARTTLS would.
    sink = await TlsSink(port=0).start()
    try:
        production = settings.model_copy(
            update={
                "smtp_port": sink.port,
                "smtp_user": "selvhjelp",
                "smtp_password": "relay-password",
                "environment": "production",
            }
        )
        with pytest.raises(DeliveryFailed) as refused:
            await SmtpMailer(production).send(MAIL)
    finally:
        await sink.stop()

    assert refused.value.outage  # kept and retried until the relay offers TLS again
    assert sink.passwords == [] and sink.received == []


async def test_in_development_a_server_without_tls_still_gets_the_mail(settings):
    sink = await TlsSink(port=0).start()  # `make run`'s local sink
    try:
        await SmtpMailer(settings.model_copy(update={"smtp_port": sink.port})).send(MAIL)
    finally:
        await sink.stop()

    assert sink.encrypted == [False] and len(sink.received) == 1
