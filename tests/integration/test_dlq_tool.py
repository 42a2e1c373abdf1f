"""An operator inspects the DLQ and replays messages after the fix (real broker)."""

import pytest
from sqlalchemy import func, select

from services.grouping.app import create_service as create_grouping
from services.grouping.models import metadata as grouping_metadata
from services.grouping.models import pool
from services.registration.app import create_service as create_registration
from shared.messaging import INTAKE_EXCHANGE
from shared.messaging.dlq_cli import dead_letter_counts, peek, replay
from shared.service import Service
from tests.support import eventually, running
from tests.support.bus import publish
from tests.support.factories import submitted_envelope

pytestmark = pytest.mark.integration


async def _dlq_count(url, queue, expected):
    return (await dead_letter_counts(url))[queue] == expected


async def test_a_refused_message_is_listed_and_shown_with_its_reason_without_its_body(settings):
    registration = create_registration(settings)
    async with running(registration):
        await publish(settings, INTAKE_EXCHANGE, submitted_envelope(municipality="0000"))
        await eventually(lambda: _dlq_count(settings.rabbitmq_url, "registration.intake.dlq", 1))
    shown = await peek(settings.rabbitmq_url, "registration.intake.dlq", 10, with_body=False)
    assert shown[0]["reason"].startswith("municipality: 0000 is not a Norwegian municipality")
    assert shown[0]["rejected_by"] == "registration:registration.intake"
    assert "body" not in shown[0]
    assert await _dlq_count(settings.rabbitmq_url, "registration.intake.dlq", 1)  # looking takes nothing


async def test_messages_dead_lettered_by_a_bug_are_replayed_after_the_fix(settings):
    buggy = Service("grouping", grouping_metadata, settings)

    async def bug(session, envelope):
        raise RuntimeError("a bug in this release")

    buggy.consume("grouping.pool", {"registration.accepted.v1": bug})
    registration = create_registration(settings)
    async with running(registration), running(buggy):
        await publish(settings, INTAKE_EXCHANGE, submitted_envelope(), submitted_envelope())
        await eventually(lambda: _dlq_count(settings.rabbitmq_url, "grouping.pool.dlq", 2), timeout=30)
    shown = await peek(settings.rabbitmq_url, "grouping.pool.dlq", 10, with_body=False)
    assert {item["reason"] for item in shown} == {"delivery_limit"}

    fixed = create_grouping(settings.model_copy(update={"planning_debounce_seconds": 3600}))
    async with running(fixed):
        assert (await replay(settings.rabbitmq_url, "grouping.pool.dlq", 10)).count == 2

        async def placed():
            async with fixed.sessions() as session:
                return await session.scalar(select(func.count()).select_from(pool)) == 2

        await eventually(placed)
    assert await _dlq_count(settings.rabbitmq_url, "grouping.pool.dlq", 0)


async def test_erasure_reaches_the_dead_letter_queues_and_spares_everyone_else(settings):
    import json

    from shared.messaging.dlq_cli import forget

    registration = create_registration(settings)
    erased, other = submitted_envelope(municipality="0000"), submitted_envelope(municipality="0000")
    async with running(registration):
        await publish(settings, INTAKE_EXCHANGE, erased, other)
        await eventually(lambda: _dlq_count(settings.rabbitmq_url, "registration.intake.dlq", 2))
    # The refused message carries the person's e-mail; its sender's reference identifies it here.
    needle = erased["data"]["external_ref"]
    assert await forget(settings.rabbitmq_url, needle) == 1
    left = await peek(settings.rabbitmq_url, "registration.intake.dlq", 10, with_body=True)
    assert len(left) == 1 and needle not in left[0]["body"]
    assert json.loads(left[0]["body"])["data"]["external_ref"] == other["data"]["external_ref"]
