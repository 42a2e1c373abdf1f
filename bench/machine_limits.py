"""This machine's own limits, measured in the run that compares the system with them, and the fresh
database and vhost every bench phase works in.

    raw_broker_hop   aio-pika, one process: persistent publishes with confirms → quorum queue → consume with ack
    raw_db_commit    single-row INSERT + COMMIT, one process, on 1 or more connections at once
    amqp_floor       aio-pika, one process: consume with ack, and for each message two persistent publishes
                     with confirms: the messaging alone of one registration taken in over AMQP
    raw_smtp         aiosmtplib, one process: mails over 5 kept-open sessions to the local SMTP sink (aiosmtpd,
                     writing each mail to a file, as in `selvhjelp notifications sinks`) in the same process
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import urllib.parse
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import aio_pika
import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db.migrate import migrate


async def fresh_vhost(management_url: str, amqp_url: str) -> tuple[str, str]:
    vhost = f"bench_{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=management_url, auth=("guest", "guest")) as api:
        (await api.put(f"/api/vhosts/{vhost}")).raise_for_status()
        (
            await api.put(
                f"/api/permissions/{vhost}/guest", json={"configure": ".*", "write": ".*", "read": ".*"}
            )
        ).raise_for_status()
    base = urllib.parse.urlsplit(amqp_url)
    return vhost, urllib.parse.urlunsplit((base.scheme, base.netloc, f"/{vhost}", "", ""))


async def drop_vhost(management_url: str, vhost: str) -> None:
    async with httpx.AsyncClient(base_url=management_url, auth=("guest", "guest"), timeout=60) as api:
        await api.delete(f"/api/vhosts/{vhost}")


@dataclass(frozen=True)
class Sandbox:
    """A fresh, migrated database and a fresh vhost on the shared servers."""

    database: str
    database_url: str
    vhost: str
    rabbitmq_url: str


@contextlib.asynccontextmanager
async def sandbox(servers, *, migrated: bool = True) -> AsyncIterator[Sandbox]:
    """Create a database (migrated to head) and a vhost; drop both afterwards, also on failure."""
    database = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_async_engine(servers.database_url, isolation_level="AUTOCOMMIT")
    vhost = None
    try:
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{database}"'))
        database_url = servers.database_url.rsplit("/", 1)[0] + f"/{database}"
        if migrated:
            await asyncio.to_thread(migrate, database_url)
        vhost, amqp_url = await fresh_vhost(servers.management_url, servers.rabbitmq_url)
        yield Sandbox(database, database_url, vhost, amqp_url)
    finally:
        with contextlib.suppress(Exception):
            if vhost is not None:
                await drop_vhost(servers.management_url, vhost)
        with contextlib.suppress(Exception):
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        await admin.dispose()


async def raw_broker_hop(amqp_url: str, n: int, timeout: float = 300) -> float:
    """Messages per second through one quorum queue, publisher and consumer in this one process."""
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=64)
        queue = await channel.declare_queue(
            f"bench.{uuid.uuid4().hex[:6]}", durable=True, arguments={"x-queue-type": "quorum"}
        )
        received = 0
        done = asyncio.Event()

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal received
            await message.ack()
            received += 1
            if received >= n:
                done.set()

        await queue.consume(on_message)
        started = time.perf_counter()
        body = b'{"event_type":"bench","data":{}}' * 8
        await asyncio.gather(
            *(
                channel.default_exchange.publish(
                    aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                    routing_key=queue.name,
                )
                for _ in range(n)
            )
        )
        try:
            await asyncio.wait_for(done.wait(), timeout=timeout)
        except TimeoutError:
            raise RuntimeError(
                f"raw broker hop: only {received:,}/{n:,} consumed after {timeout:.0f} s"
            ) from None
        return n / (time.perf_counter() - started)


async def amqp_floor(amqp_url: str, n: int, timeout: float = 300) -> float:
    """Messages per second taken from a queue, each acked and answered by two confirmed publishes (what the
    AMQP intake does besides parsing, validating and committing: it relays two events per registration)."""
    connection = await aio_pika.connect_robust(amqp_url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        await channel.set_qos(prefetch_count=256)
        declare = {"durable": True, "arguments": {"x-queue-type": "quorum"}}
        intake = await channel.declare_queue(f"bench.in.{uuid.uuid4().hex[:6]}", **declare)
        relayed = await channel.declare_queue(f"bench.out.{uuid.uuid4().hex[:6]}", **declare)
        body = b'{"event_type":"bench","data":{}}' * 16

        def message() -> aio_pika.Message:
            return aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT)

        await asyncio.gather(
            *(channel.default_exchange.publish(message(), routing_key=intake.name) for _ in range(n))
        )
        publishing = await connection.channel(publisher_confirms=True)
        confirms: list[asyncio.Future] = []
        received = 0
        done = asyncio.Event()

        async def on_message(incoming: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal received
            for _ in range(2):
                confirms.append(
                    asyncio.ensure_future(
                        publishing.default_exchange.publish(message(), routing_key=relayed.name)
                    )
                )
            await incoming.ack()
            received += 1
            if received >= n:
                done.set()

        started = time.perf_counter()
        await intake.consume(on_message)
        try:
            await asyncio.wait_for(done.wait(), timeout=timeout)
            await asyncio.gather(*confirms)
        except TimeoutError:
            raise RuntimeError(
                f"AMQP floor: only {received:,}/{n:,} consumed after {timeout:.0f} s"
            ) from None
        rate = n / (time.perf_counter() - started)
        for queue in (intake, relayed):
            await queue.delete(if_unused=False, if_empty=False)
        return rate


async def raw_smtp(n: int, sessions: int = 5) -> float:
    """Mails per second, client and sink in this one process (the sink as the bench runs it: to files)."""
    import tempfile
    from email.mime.text import MIMEText

    import aiosmtplib

    from services.notifications.sinks import MailSink

    with tempfile.TemporaryDirectory() as directory:
        sink = await MailSink(port=0, directory=Path(directory), keep=False).start()
        text = "Hei!\n\nDu er invitert til en selvhjelpsgruppe. " * 20  # about an invitation's length

        async def session(first: int) -> None:
            client = aiosmtplib.SMTP(hostname=sink.host, port=sink.port)
            await client.connect()
            for k in range(first, n, sessions):
                message = MIMEText(text, "plain", "utf-8")
                message["To"], message["From"], message["Subject"] = (
                    f"p{k}@example.org",
                    "bench@example.org",
                    "Hei",
                )
                await client.send_message(message)
            await client.quit()

        try:
            started = time.perf_counter()
            await asyncio.gather(*(session(k) for k in range(sessions)))
            return n / (time.perf_counter() - started)
        finally:
            await sink.stop()


async def raw_db_commit(database_url: str, n: int, concurrency: int = 1) -> float:
    """Single-row INSERT + COMMIT per transaction, `concurrency` connections at once; transactions/s."""
    engine = create_async_engine(database_url, pool_size=concurrency, max_overflow=0)
    try:
        async with engine.connect() as connection:
            await connection.execute(
                text("CREATE TABLE IF NOT EXISTS bench_commit (id bigserial primary key, body jsonb)")
            )
            await connection.commit()
        per_connection = max(1, n // concurrency)

        async def commits() -> None:
            async with engine.connect() as connection:
                for _ in range(per_connection):
                    await connection.execute(text("INSERT INTO bench_commit (body) VALUES ('{}')"))
                    await connection.commit()

        # Open every connection before the clock starts: the limit is commits, not connecting.
        async with contextlib.AsyncExitStack() as stack:
            for _ in range(concurrency):
                await stack.enter_async_context(engine.connect())
        started = time.perf_counter()
        await asyncio.gather(*(commits() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    finally:
        await engine.dispose()
    return per_connection * concurrency / elapsed
