"""Restart everything with a large backlog queued: nothing is lost, nothing is doubled.

SELVHJELP_RESTART_BACKLOG messages (default 10,000) wait on the intake while no service runs; the services
start, are stopped (gracefully, as a rolling deploy would) part-way, start again, and finish the backlog.
"""

from __future__ import annotations

import asyncio
import os

import pytest
from sqlalchemy import func, select

from services.grouping.app import create_service as create_grouping
from services.grouping.models import pool
from services.registration.app import create_service as create_registration
from services.registration.models import registrations
from shared.messaging import INTAKE_EXCHANGE, Publisher, declare_topology
from shared.messaging.dlq_cli import dead_letter_counts
from shared.messaging.topology import TOPOLOGY
from tests.support import eventually
from tests.support.factories import submitted_envelope

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BACKLOG = int(os.environ.get("SELVHJELP_RESTART_BACKLOG", "10000"))


async def _count(service, table) -> int:
    async with service.sessions() as session:
        return await session.scalar(select(func.count()).select_from(table))


async def test_a_restart_with_ten_thousand_queued_loses_nothing(settings):
    settings = settings.model_copy(update={"planning_debounce_seconds": 3600, "delivery_limit": 5})
    publisher = Publisher(settings.rabbitmq_url)
    await publisher.connect()
    await declare_topology(publisher.channel, TOPOLOGY.queues, settings.delivery_limit)
    envelopes = [submitted_envelope() for _ in range(BACKLOG)]
    for start in range(0, BACKLOG, 500):
        await asyncio.gather(
            *(
                publisher.publish(INTAKE_EXCHANGE, "registration.submitted.v1", e)
                for e in envelopes[start : start + 500]
            )
        )
    await publisher.close()

    first = [create_registration(settings), create_grouping(settings)]
    for service in first:
        await service.start()
    await eventually(lambda: _at_least(first[1], BACKLOG // 4), timeout=900, interval=1)
    for service in reversed(first):
        await service.stop()

    second = [create_registration(settings), create_grouping(settings)]
    for service in second:
        await service.start()
    try:
        await eventually(lambda: _at_least(second[1], BACKLOG), timeout=1800, interval=1)
        assert await _count(second[0], registrations) == BACKLOG
        assert await _count(second[1], pool) == BACKLOG
        dead = await dead_letter_counts(settings.rabbitmq_url)
        assert sum(dead.values()) == 0, dead
    finally:
        for service in reversed(second):
            await service.stop()


async def _at_least(service, expected: int) -> bool:
    return await _count(service, pool) >= expected
