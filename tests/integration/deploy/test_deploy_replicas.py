"""Scale-out, simulated on one machine: two replicas of registration and of grouping against one broker and
one database share the intake between them, and every registration takes effect exactly once."""

from __future__ import annotations

import contextlib
import uuid

import pytest
from sqlalchemy import func, select

from services.grouping import models as grouping_models
from services.grouping.app import create_service as create_grouping
from services.registration import models as registration_models
from services.registration.app import create_service as create_registration
from shared.messaging import INTAKE_EXCHANGE, Publisher
from tests.support import eventually, running
from tests.support.factories import submitted_envelope

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SUBMISSIONS = 24
RESENT = 4


def counting(service, queue: str, counts: list[int], index: int) -> None:
    """Count the messages this replica's consumer handles (instrumentation, the handling is untouched)."""
    consumer = service.consumers[queue]
    handle = consumer.process

    async def process(message):
        counts[index] += 1
        return await handle(message)

    consumer.process = process


async def count(service, table, *where) -> int:
    async with service.sessions() as session:
        return await session.scalar(select(func.count()).select_from(table).where(*where))


async def test_two_replicas_of_each_service_share_the_work_without_double_effects(settings):
    # One message in flight per consumer, so the broker hands the next one to whichever replica is free.
    settings = settings.model_copy(update={"prefetch_count": 1})
    registrations = [create_registration(settings) for _ in range(2)]
    groupings = [create_grouping(settings) for _ in range(2)]
    intake_counts, pool_counts = [0, 0], [0, 0]
    for index in range(2):
        counting(registrations[index], "registration.intake", intake_counts, index)
        counting(groupings[index], "grouping.pool", pool_counts, index)
    envelopes = [submitted_envelope(uuid.uuid4()) for _ in range(SUBMISSIONS)]

    async with contextlib.AsyncExitStack() as stack:
        for service in (*groupings, *registrations):
            await stack.enter_async_context(running(service))
        publisher = Publisher(settings.rabbitmq_url)
        await publisher.connect()
        try:
            # An outside system resends some of them (same event id): at-least-once delivery in.
            for envelope in envelopes + envelopes[:RESENT]:
                await publisher.publish(INTAKE_EXCHANGE, "registration.submitted.v1", envelope)
        finally:
            await publisher.close()
        reader = registrations[0]
        await eventually(lambda: _equals(count(groupings[0], grouping_models.pool), SUBMISSIONS), timeout=90)
        await eventually(
            lambda: _equals(
                count(reader, registration_models.outbox, registration_models.outbox.c.state == "pending"), 0
            ),
            timeout=60,
        )

    assert await count(reader, registration_models.registrations) == SUBMISSIONS
    assert await count(groupings[0], grouping_models.pool) == SUBMISSIONS
    assert sum(intake_counts) == SUBMISSIONS + RESENT
    assert min(intake_counts) > 0, intake_counts
    assert min(pool_counts) > 0, pool_counts
    async with groupings[0].sessions() as session:
        active = select(grouping_models.memberships.c.participant_id).where(
            grouping_models.memberships.c.status.in_(("invited", "accepted"))
        )
        rows = (await session.execute(active)).scalars().all()
    assert len(rows) == len(set(rows)), "a person was placed in two groups"


async def _equals(awaitable, expected: int) -> bool:
    return (await awaitable) == expected
