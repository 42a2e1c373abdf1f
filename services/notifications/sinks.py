"""Local stand-ins for the mail server and the SMS gateway, for `make run` and for tests.

`MailSink` is a real SMTP server (aiosmtpd) and `SmsSink` a tiny HTTP server speaking the JSON of
`channels.HttpSmsGateway`. Both write every message they receive into a directory (by default
`.run/outbox-mail/*.eml` and `.run/outbox-sms/*.json`) so a person can read exactly what would have been
sent; in tests they also keep them in memory (`keep=True`, the default; the command keeps nothing, so a
long `make run` does not grow). Tests can make the mail sink refuse addresses (550) and the SMS
sink answer with an error status.

    selvhjelp notifications sinks [--smtp-port 1025] [--sms-port 8125] [--mail-dir DIR] [--sms-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import email
import email.policy
import itertools
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from functools import cached_property
from pathlib import Path
from typing import Any

RUN_DIR = Path(os.environ.get("SELVHJELP_RUN_DIR", ".run"))
DEFAULT_MAIL_DIR = RUN_DIR / "outbox-mail"
DEFAULT_SMS_DIR = RUN_DIR / "outbox-sms"
_sequence = itertools.count(1)


def _file_name(suffix: str) -> str:
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{next(_sequence):04d}.{suffix}"


async def _close(server: asyncio.Server | None) -> None:
    """Stop a sink's server, waiting at most five seconds for its connections to close."""
    if server is not None:
        server.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(server.wait_closed(), timeout=5)


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    raw: bytes

    @cached_property
    def message(self) -> EmailMessage:
        # Parsed when a test reads it: the header-parsing policy costs more than the whole SMTP exchange.
        return email.message_from_bytes(self.raw, policy=email.policy.default)  # type: ignore[return-value]

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    def part(self, subtype: str) -> str:
        body = self.message.get_body(preferencelist=(subtype,))
        return body.get_content() if body is not None else ""


@dataclass
class MailSink:
    """An SMTP server on `host:port` (0: a free port) that accepts everything except refused addresses."""

    host: str = "127.0.0.1"
    port: int = 1025
    directory: Path | None = None
    refuse: Callable[[str], bool] = lambda address: False
    keep: bool = True
    received: list[ReceivedMail] = field(default_factory=list)
    _server: asyncio.Server | None = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.refuse(address):
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        if self.keep:
            self.received.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), raw))
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            (self.directory / _file_name("eml")).write_bytes(raw)
        return "250 Message accepted for delivery"

    async def start(self) -> MailSink:
        # Imported here: aiosmtpd is a development dependency (the dev extra), not in the runtime image,
        # which never runs a sink but imports this module through the command line.
        try:
            from aiosmtpd.smtp import SMTP
        except ImportError as missing:
            raise RuntimeError(
                "the local SMTP sink needs aiosmtpd, a development dependency: pip install -e '.[dev]'"
            ) from missing

        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: SMTP(self, hostname="selvhjelp-sink", loop=loop), self.host, self.port
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        await _close(self._server)
        self._server = None


@dataclass
class SmsSink:
    """POST a JSON `{to, text, reference}` to any path: 200 and the message is kept; `status` other than 200
    makes it answer that instead (a gateway outage or refusal, for tests)."""

    host: str = "127.0.0.1"
    port: int = 8125
    directory: Path | None = None
    status: int = 200
    keep: bool = True
    received: list[dict[str, Any]] = field(default_factory=list)
    _server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/sms"

    async def start(self) -> SmsSink:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        await _close(self._server)
        self._server = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
            lines = head.decode("latin-1").split("\r\n")
            method = lines[0].split(" ", 1)[0]
            headers = dict(line.split(":", 1) for line in lines[1:] if ":" in line)
            length = int({k.strip().lower(): v.strip() for k, v in headers.items()}.get("content-length", 0))
            body = await asyncio.wait_for(reader.readexactly(length), timeout=10) if length else b""
            status, answer = self._answer(method, body)
            payload = json.dumps(answer).encode()
            writer.write(
                f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n".encode()
                + payload
            )
            await writer.drain()
        except (asyncio.IncompleteReadError, TimeoutError, ValueError, ConnectionError):
            pass
        finally:
            writer.close()

    def _answer(self, method: str, body: bytes) -> tuple[int, dict[str, Any]]:
        if method != "POST":
            return 405, {"error": "POST a JSON message"}
        if self.status != 200:
            return self.status, {"error": "the sink was told to fail"}
        try:
            message = json.loads(body)
            assert isinstance(message, dict) and message.get("to") and message.get("text")
        except (ValueError, AssertionError):
            return 400, {"error": "expected JSON with to and text"}
        if self.keep:
            self.received.append(message)
        if self.directory is not None:
            self.directory.mkdir(parents=True, exist_ok=True)
            (self.directory / _file_name("json")).write_text(
                json.dumps(message, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
            )
        return 200, {"status": "accepted"}


# --- the command -------------------------------------------------------------------------------
async def serve(args: argparse.Namespace) -> None:
    # aiosmtpd logs every recipient address at INFO; the files are the place to read them, not the log.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    # The files are the record here; kept in memory too, every message of a long run would stay there.
    mail = await MailSink(args.host, args.smtp_port, args.mail_dir, keep=False).start()
    texts = await SmsSink(args.host, args.sms_port, args.sms_dir, keep=False).start()
    print(f"SMTP sink on {args.host}:{mail.port}, writing to {args.mail_dir}/", flush=True)
    print(f"SMS sink on {texts.url}, writing to {args.sms_dir}/", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await mail.stop()
        await texts.stop()


def _run(args: argparse.Namespace) -> int:
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))
    return 0


def build_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add `sinks` to the `notifications` command. The handler is stored as `args.func(args) -> int`."""
    parser = subparsers.add_parser(
        "sinks", help="Run a local SMTP server and SMS gateway that write what they receive to files."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--sms-port", type=int, default=8125)
    parser.add_argument("--mail-dir", type=Path, default=DEFAULT_MAIL_DIR)
    parser.add_argument("--sms-dir", type=Path, default=DEFAULT_SMS_DIR)
    parser.set_defaults(func=_run)
    return parser
