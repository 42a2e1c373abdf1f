"""Where sensitive data goes. A person registers with unique canary strings in their free text (health
data), name and e-mail; the whole flow runs to the invitations. Then every message that crossed the bus,
every log line and every table of every service is searched:

- the health canary is only in the registration service's own tables;
- contact data is only in registration's and notifications' tables, and on the bus only in
  participant.contact_registered.v1 (ARCHITECTURE.md: contact details stay in registration and
  notifications).
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from pathlib import Path

import aio_pika
import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from services.calendar.sample import load_sample_into
from services.notifications.sinks import MailSink
from shared.messaging import Publisher, declare_topology
from shared.messaging.topology import EXCHANGES, TOPOLOGY
from tests.support import eventually
from tests.support.factories import registration_body
from tests.support.system import running_system

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


async def _spy_on_the_bus(url: str, delivery_limit: int) -> None:
    publisher = Publisher(url)
    await publisher.connect()
    await declare_topology(publisher.channel, TOPOLOGY.queues, delivery_limit)
    spy = await publisher.channel.declare_queue("test.spy", durable=True)
    for exchange in EXCHANGES:
        await spy.bind(exchange, routing_key="#")
    await publisher.close()


async def _everything_on_the_bus(url: str) -> list[tuple[str, str]]:
    connection = await aio_pika.connect_robust(url)
    seen = []
    async with connection:
        channel = await connection.channel()
        queue = await channel.declare_queue("test.spy", durable=True, passive=True)
        while (message := await queue.get(fail=False)) is not None:
            seen.append((message.routing_key or "", message.body.decode(errors="replace")))
            await message.ack()
    return seen


async def _tables_containing(database_url: str, needle: str) -> set[str]:
    """Every schema.table whose text, varchar or json columns contain the needle."""
    engine = create_async_engine(database_url)
    found = set()
    async with engine.connect() as connection:
        columns = (
            await connection.execute(
                text(
                    "SELECT table_schema, table_name, column_name FROM information_schema.columns "
                    "WHERE table_schema IN ('registration','grouping','calendar','notifications') "
                    "AND data_type IN ('text','character varying','jsonb','json')"
                )
            )
        ).all()
        for schema, table, column in columns:
            hit = await connection.scalar(
                text(f'SELECT 1 FROM "{schema}"."{table}" WHERE "{column}"::text LIKE :needle LIMIT 1'),
                {"needle": f"%{needle}%"},
            )
            if hit:
                found.add(f"{schema}.{table}")
    await engine.dispose()
    return found


async def test_health_and_contact_data_go_only_where_the_architecture_allows(settings, tmp_path: Path):
    canary = uuid.uuid4().hex[:10]
    health, name, email = f"CANARYHEALTH{canary}", f"Canaryname{canary}", f"canary{canary}@example.org"
    await load_sample_into(settings.database_url)
    await _spy_on_the_bus(settings.rabbitmq_url, settings.delivery_limit)
    sink = await MailSink(port=0).start()
    today = date.today()
    bodies = [
        registration_body(
            participant={"name": f"Person{i}", "email": f"person{i}@example.org"},
            birth_date=(today - timedelta(days=365 * (35 + i))).isoformat(),
            gender="female" if i % 2 else "male",
            availability=["tue_evening"],
        )
        for i in range(5)
    ]
    bodies.append(
        registration_body(
            participant={"name": name, "email": email},
            birth_date=(today - timedelta(days=365 * 37)).isoformat(),
            gender="female",
            topic_text=f"I lost my husband {health}",
            availability=["tue_evening"],
        )
    )
    env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(sink.port)}
    try:
        with running_system(settings, tmp_path / "logs", env) as system:
            async with httpx.AsyncClient(timeout=30) as client:
                for body in bodies:
                    response = await client.post(
                        f"{system.url('registration')}/api/v1/registrations", json=body
                    )
                    assert response.status_code == 202

            async def invited() -> bool:
                return any(
                    email in mail.recipients and "/invitations/" in mail.part("plain")
                    for mail in sink.received
                )

            await eventually(invited, timeout=120)
            logs = system.logs()
    finally:
        await sink.stop()

    bus = await _everything_on_the_bus(settings.rabbitmq_url)
    assert len(bus) > 10  # the spy really saw the flow
    assert not [key for key, body in bus if health in body], "health text travelled on the bus"
    carrying_contact = {key for key, body in bus if email in body or name in body}
    assert carrying_contact == {"participant.contact_registered.v1"}
    assert health not in logs and email not in logs and name not in logs

    assert await _tables_containing(settings.database_url, health) == {"registration.registrations"}
    contact_tables = await _tables_containing(settings.database_url, email)
    assert {t.split(".")[0] for t in contact_tables} <= {"registration", "notifications"}
    assert "notifications.contacts" in contact_tables
