"""The two ways out: e-mail over SMTP and SMS through an HTTP gateway.

Each sender raises `DeliveryFailed` with `permanent=True` when trying again cannot help (the address does
not exist, the gateway refuses the request) and `permanent=False` when it can (busy, greylisted). A failure
that is not about the message at all - the server is down, slow or refusing our own configuration (login,
sender address) - is an `outage`: the message is kept, without counting it against its attempts, until the
server or the settings are fixed. Error texts are redacted before they are stored, since providers like to
echo the address.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formatdate, parseaddr
from typing import Protocol

import aiosmtplib
import httpx

from shared.settings import Settings

from .domain import classify_smtp_error, redact


class DeliveryFailed(Exception):
    def __init__(self, reason: str, *, permanent: bool, outage: bool = False) -> None:
        super().__init__(reason)
        self.reason = redact(reason)
        self.permanent = permanent and not outage
        self.outage = outage


# SMTP replies that speak for the whole session rather than for one recipient or message.
_SERVICE_CLOSING = 421


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    html: str
    reference: str
    language: str


class Mailer(Protocol):
    async def send(self, email: Email) -> None: ...


class SmsGateway(Protocol):
    """Provider-neutral: anything that can deliver a short text to a Norwegian mobile number."""

    async def send(self, to: str, text: str, reference: str) -> None: ...


def build_email(email: Email, sender: str) -> Message:
    """A multipart/alternative message (text and HTML, UTF-8). Built with the compat32 classes: the
    header-parsing EmailMessage API costs three times the CPU per message, and a sender pass builds many."""
    message = MIMEMultipart("alternative")
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = Header(email.subject, "utf-8", header_name="Subject")
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id(email.reference, sender)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
    message["Content-Language"] = email.language
    message.attach(MIMEText(email.text, "plain", "utf-8"))
    message.attach(MIMEText(email.html, "html", "utf-8"))
    return message


def message_id(reference: str, sender: str) -> str:
    """The same for every attempt at one delivery (the reference names the delivery row): a message sent
    again after a crash, a lost connection to the database or a cancelled stop, before it was recorded as
    sent, carries the Message-ID of the first copy, so mail systems can tell it is a repeat. The domain is
    the sender's, the same on every replica (`make_msgid` would use the host name)."""
    _, at, domain = parseaddr(sender)[1].rpartition("@")
    return f"<{reference}@{domain if at and domain else 'selvhjelp.local'}>"


def _starttls(s: Settings) -> bool | None:
    """aiosmtplib's start_tls: True demands STARTTLS, None upgrades whenever the server offers it (never
    False, which would send mail and the relay password in clear even to a server offering TLS)."""
    if s.smtp_tls:
        return False  # implicit TLS: the session is encrypted from its first byte
    if s.smtp_starttls or (s.smtp_password and s.environment != "development"):
        return True  # our password never crosses the network in clear, even if STARTTLS is stripped
    return None


class SmtpMailer:
    """Sends over SMTP, keeping up to `connections` sessions open between messages: connecting (and TLS,
    and AUTH) costs more than sending one message, and a sender pass sends many. A session idle longer
    than `idle_seconds` is closed rather than reused (servers drop idle clients)."""

    def __init__(self, settings: Settings, *, connections: int = 5, idle_seconds: float = 30.0) -> None:
        self.settings = settings
        self.connections = connections
        self.idle_seconds = idle_seconds
        self._idle: list[tuple[aiosmtplib.SMTP, float]] = []

    async def _open(self) -> aiosmtplib.SMTP:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            use_tls=s.smtp_tls,
            start_tls=_starttls(s),
            cert_bundle=s.smtp_ca_file,
            username=s.smtp_user,
            password=s.smtp_password,
            timeout=s.smtp_timeout_seconds,
        )
        await client.connect()
        return client

    def _kept(self) -> aiosmtplib.SMTP | None:
        now = time.monotonic()
        while self._idle:
            client, since = self._idle.pop()
            if client.is_connected and now - since < self.idle_seconds:
                return client
            client.close()
        return None

    def _keep(self, client: aiosmtplib.SMTP) -> None:
        if len(self._idle) < self.connections and client.is_connected:
            self._idle.append((client, time.monotonic()))
        else:
            client.close()

    async def _deliver(self, message: Message, client: aiosmtplib.SMTP) -> None:
        try:
            await client.send_message(message)
        except (aiosmtplib.SMTPRecipientsRefused, aiosmtplib.SMTPResponseException):
            self._keep(client)  # the server answered (and the session was reset): still good to use
            raise
        except BaseException:
            client.close()
            raise
        self._keep(client)

    async def send(self, email: Email) -> None:
        message = build_email(email, self.settings.smtp_from)
        try:
            kept = self._kept()
            try:
                await self._deliver(message, kept or await self._open())
            except aiosmtplib.SMTPServerDisconnected:
                if kept is None:
                    raise
                # The server had closed the kept session meanwhile: once more, on a new one.
                await self._deliver(message, await self._open())
        except aiosmtplib.SMTPRecipientsRefused as refused:
            # RCPT TO: about this recipient (a 5xx fails the message, a 4xx counts against its attempts).
            codes = [r.code for r in refused.recipients] or [None]
            reply = "; ".join(f"{r.code} {r.message}" for r in refused.recipients)
            permanent = all(classify_smtp_error(code) == "permanent" for code in codes)
            outage = _SERVICE_CLOSING in codes
            raise DeliveryFailed(f"recipient refused: {reply}", permanent=permanent, outage=outage) from None
        except aiosmtplib.SMTPDataError as error:
            # DATA: about this message, as above.
            kind = classify_smtp_error(error.code if 400 <= error.code < 600 else None)
            raise DeliveryFailed(
                f"smtp {error.code} {error.message}",
                permanent=kind == "permanent",
                outage=error.code == _SERVICE_CLOSING,
            ) from None
        except aiosmtplib.SMTPResponseException as error:
            # The greeting, EHLO, STARTTLS, AUTH or MAIL FROM refused, 4xx or 5xx: the server or our own
            # configuration is wrong, not the message. Keep it until someone fixes the settings.
            raise DeliveryFailed(f"smtp {error.code} {error.message}", permanent=False, outage=True) from None
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            # Could not connect, disconnected, timed out, STARTTLS or AUTH not offered: the mail server
            # will be back (or its settings fixed).
            raise DeliveryFailed(
                f"smtp unavailable: {type(error).__name__}", permanent=False, outage=True
            ) from None


# Gateway answers about the gateway or our settings (token, URL), not the message: an outage.
_GATEWAY_OUTAGE = frozenset({401, 403, 404, 405, 407, 408, 429})


class HttpSmsGateway:
    """JSON POST `{to, text, reference}` to one URL. 2xx: sent; 4xx: the request is wrong and resending the
    same one cannot help (bad number, rejected text); 5xx, 429, timeouts, and a refused token or a wrong
    URL (401, 403, 404, ...): an outage, tried again until the gateway or the settings are fixed."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.sms_gateway_url
        self.timeout = httpx.Timeout(
            settings.sms_timeout_seconds, connect=min(5.0, settings.sms_timeout_seconds)
        )
        self.headers = (
            {"Authorization": f"Bearer {settings.sms_gateway_token}"} if settings.sms_gateway_token else {}
        )

    async def send(self, to: str, text: str, reference: str) -> None:
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                response = await client.post(
                    self.url,
                    json={"to": to, "text": text, "reference": reference},
                    headers={**self.headers, "Idempotency-Key": reference},
                )
        except httpx.HTTPError as error:
            raise DeliveryFailed(
                f"sms gateway unavailable: {type(error).__name__}", permanent=False, outage=True
            ) from None
        if response.is_success:
            return
        status = response.status_code
        outage = status >= 500 or status in _GATEWAY_OUTAGE
        raise DeliveryFailed(
            f"sms gateway {status}: {response.text[:200]}", permanent=400 <= status < 500, outage=outage
        )


@dataclass
class Channels:
    mail: Mailer
    sms: SmsGateway

    @classmethod
    def from_settings(cls, settings: Settings) -> Channels:
        return cls(SmtpMailer(settings), HttpSmsGateway(settings))


def reference_of(delivery_id: int | uuid.UUID) -> str:
    """The id a provider sees (Message-ID, SMS reference): the delivery row, never a person."""
    return f"selvhjelp-{delivery_id}"
