"""Faults during a burst from the external intake: the broker or the database is SIGKILLed at a random
moment and restarted. Afterwards every registration is accepted exactly once, every person is in the
waiting pool once, the DLQs are empty and the outboxes drained.

The burst size is SELVHJELP_FAULT_BURST (default 5000); each test runs its own broker or database so the
kill touches nothing else.
"""

from __future__ import annotations

import asyncio
import os
import random
import uuid

import aio_pika
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from services.grouping.app import create_service as create_grouping
from services.grouping.models import inbox as grouping_inbox
from services.grouping.models import pool
from services.registration.app import create_service as create_registration
from services.registration.models import outbox as registration_outbox
from services.registration.models import registrations
from shared.db.migrate import migrate
from shared.local_servers import DEFAULT_RUN_DIR
from shared.messaging import INTAKE_EXCHANGE, Publisher, declare_topology
from shared.messaging.dlq_cli import dead_letter_counts
from shared.messaging.topology import TOPOLOGY
from shared.settings import Settings
from tests.support import eventually
from tests.support.factories import submitted_envelope
from tests.support.private_servers import PrivatePostgres, PrivateRabbitMQ

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BURST = int(os.environ.get("SELVHJELP_FAULT_BURST", "5000"))


@pytest.fixture
def fault_dir():
    # Under the project's run directory: the postgres user must be able to reach its data directory.
    path = DEFAULT_RUN_DIR / "faults" / uuid.uuid4().hex[:8]
    path.mkdir(parents=True)
    os.chmod(path, 0o777)
    yield path


class SendingSystem:
    """An outside system publishing with confirms, at least once: an unconfirmed message is sent again."""

    def __init__(self, url: str, envelopes: list[dict]) -> None:
        self.url = url
        self.envelopes = envelopes
        self.confirmed = 0
        self.resent = 0

    async def run(self) -> None:
        publisher: Publisher | None = None
        index = 0
        while index < len(self.envelopes):
            try:
                if publisher is None:
                    publisher = Publisher(self.url)
                    await publisher.connect()
                batch = self.envelopes[index : index + 50]
                await asyncio.gather(
                    *(publisher.publish(INTAKE_EXCHANGE, "registration.submitted.v1", e) for e in batch)
                )
                index += len(batch)
                self.confirmed = index
            except (aio_pika.exceptions.AMQPError, ConnectionError, OSError, TimeoutError, RuntimeError):
                self.resent += 1
                if publisher is not None:
                    try:
                        await publisher.close()
                    except Exception:
                        pass
                publisher = None
                await asyncio.sleep(0.5)
        if publisher is not None:
            await publisher.close()


async def _count(service, statement) -> int:
    async with service.sessions() as session:
        return await session.scalar(statement)


async def _run_burst_with_fault(settings: Settings, fault, burst: int) -> dict[str, int]:
    registration, grouping = create_registration(settings), create_grouping(settings)
    await registration.start()
    await grouping.start()
    try:
        sender = SendingSystem(settings.rabbitmq_url, [submitted_envelope() for _ in range(burst)])
        sending = asyncio.create_task(sender.run())
        # Kill somewhere in the middle of the burst, at a random moment.
        await eventually(lambda: _at_least(sender, random.randint(burst // 5, burst // 2)), timeout=600)
        await fault()
        await asyncio.wait_for(sending, timeout=600)

        async def all_in_pool():
            return await _count(grouping, select(func.count()).select_from(pool)) >= burst

        await eventually(all_in_pool, timeout=900, interval=1)
        await eventually(lambda: _outbox_drained(registration), timeout=120, interval=0.5)
        return {
            "registrations": await _count(registration, select(func.count()).select_from(registrations)),
            "pool": await _count(grouping, select(func.count()).select_from(pool)),
            "distinct_pool": await _count(grouping, select(func.count(pool.c.participant_id.distinct()))),
            "inbox_duplicates": await _count(
                grouping, select(func.coalesce(func.sum(grouping_inbox.c.duplicates), 0))
            ),
            "resent_by_sender": sender.resent,
        }
    finally:
        await grouping.stop()
        await registration.stop()


async def _at_least(sender: SendingSystem, count: int) -> bool:
    return sender.confirmed >= count


async def _outbox_drained(service) -> bool:
    pending = registration_outbox.c.state == "pending"
    return await _count(service, select(func.count()).select_from(registration_outbox).where(pending)) == 0


async def test_the_broker_killed_mid_burst_loses_nothing_and_duplicates_nothing(database_url, fault_dir):
    broker = PrivateRabbitMQ.create(fault_dir / "rabbitmq")
    broker.start()
    publisher = Publisher(broker.url)
    await publisher.connect()
    await declare_topology(publisher.channel, TOPOLOGY.queues, 5)
    await publisher.close()
    settings = Settings(
        database_url=database_url,
        rabbitmq_url=broker.url,
        log_json=False,
        environment="development",
        planning_debounce_seconds=3600,
        outbox_poll_seconds=0.2,
        outbox_retry_cap_seconds=2,
    )

    async def kill_and_restart():
        broker.kill()
        await asyncio.sleep(1)
        await asyncio.to_thread(broker.start)

    try:
        result = await _run_burst_with_fault(settings, kill_and_restart, BURST)
        dead = await dead_letter_counts(broker.url)
    finally:
        broker.stop()
    assert result["resent_by_sender"] >= 1  # the kill really cut the sender off mid-burst
    assert result["registrations"] == BURST
    assert result["pool"] == result["distinct_pool"] == BURST
    assert sum(dead.values()) == 0, dead


async def test_the_database_killed_mid_burst_loses_nothing_and_duplicates_nothing(rabbitmq_url, fault_dir):
    database = PrivatePostgres.create(fault_dir)
    database.start()
    url = str(make_url(database.admin_url).set(database="selvhjelp").render_as_string(hide_password=False))
    await asyncio.to_thread(migrate, url)
    settings = Settings(
        database_url=url,
        rabbitmq_url=rabbitmq_url,
        log_json=False,
        environment="development",
        planning_debounce_seconds=3600,
        outbox_poll_seconds=0.2,
        outbox_retry_cap_seconds=2,
        transient_retry_cap_seconds=1,
    )

    async def kill_and_restart():
        database.kill()
        await asyncio.sleep(2)
        await asyncio.to_thread(database.start)

    try:
        result = await _run_burst_with_fault(settings, kill_and_restart, BURST)
        dead = await dead_letter_counts(rabbitmq_url)
    finally:
        database.stop()
    assert result["registrations"] == BURST
    assert result["pool"] == result["distinct_pool"] == BURST
    assert sum(dead.values()) == 0, dead
