"""The delivery guarantees of the messaging backbone, against a real RabbitMQ and PostgreSQL."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from services.grouping import models as grouping_models
from services.grouping.app import create_service as create_grouping
from services.registration import commands
from services.registration import models as registration_models
from services.registration.app import create_service as create_registration
from shared.contracts import RegistrationDetails
from shared.messaging import INTAKE_EXCHANGE, Publisher, declare_topology
from shared.messaging.topology import TOPOLOGY
from shared.service import Service
from tests.support import eventually, running
from tests.support.factories import registration_body, submitted_envelope
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration


async def _count(service: Service, table, *where) -> int:
    async with service.sessions() as session:
        return await session.scalar(select(func.count()).select_from(table).where(*where))


async def _publish_intake(settings, body: bytes | dict) -> None:
    publisher = Publisher(settings.rabbitmq_url)
    await publisher.connect()
    try:
        await declare_topology(publisher.channel, TOPOLOGY.queues, settings.delivery_limit)
        await publisher.publish(INTAKE_EXCHANGE, "registration.submitted.v1", body)
    finally:
        await publisher.close()


async def test_an_event_committed_while_the_relay_is_down_is_published_later_exactly_once(settings):
    registration = create_registration(settings)
    grouping = create_grouping(settings)
    # The relay "crashed" between commit and publish: the row is committed, nothing is running.
    async with registration.sessions() as session, session.begin():
        submitted = await commands.submit_registration(
            session, registration.outbox, RegistrationDetails.model_validate(registration_body())
        )
    assert (
        await _count(
            registration, registration_models.outbox, registration_models.outbox.c.state == "pending"
        )
        == 2
    )

    async with running(grouping), running(registration):
        await eventually(
            lambda: _count(
                grouping,
                grouping_models.pool,
                grouping_models.pool.c.participant_id == submitted.participant_id,
            )
        )
        await eventually(
            lambda: _count(
                registration, registration_models.outbox, registration_models.outbox.c.state == "sent"
            )
        )
    assert (
        await _count(
            registration, registration_models.outbox, registration_models.outbox.c.state == "pending"
        )
        == 0
    )
    assert await _count(grouping, grouping_models.pool) == 1


async def test_a_relay_crash_after_publish_before_marking_sent_republishes_and_the_inbox_absorbs_it(settings):
    registration = create_registration(settings)
    grouping = create_grouping(settings)
    async with registration.sessions() as session, session.begin():
        submitted = await commands.submit_registration(
            session, registration.outbox, RegistrationDetails.model_validate(registration_body())
        )

    class CrashAfterPublish(Exception):
        pass

    async with running(grouping):
        await registration.publisher.connect()
        original = registration.relay._publish

        async def publish_then_crash(row):
            await original(row)
            raise CrashAfterPublish  # the process died before the UPDATE ... state='sent' committed

        registration.relay._publish = publish_then_crash
        await registration.relay.relay_once()
        registration.relay._publish = original
        assert (
            await _count(
                registration, registration_models.outbox, registration_models.outbox.c.state == "pending"
            )
            == 2
        )
        # Restarted relay: retry is due at once for the test.
        async with registration.sessions() as session, session.begin():
            await session.execute(registration_models.outbox.update().values(next_attempt_at=func.now()))
        await registration.relay.relay_once()
        await registration.publisher.close()

        inbox = grouping_models.inbox
        duplicates = await eventually(
            lambda: _scalar(
                grouping,
                select(func.sum(inbox.c.duplicates)).where(inbox.c.event_type == "registration.accepted.v1"),
            )
        )
    assert duplicates == 1
    assert (
        await _count(
            grouping, grouping_models.pool, grouping_models.pool.c.participant_id == submitted.participant_id
        )
        == 1
    )


async def _scalar(service: Service, query):
    async with service.sessions() as session:
        return await session.scalar(query)


async def test_a_duplicate_delivery_changes_nothing_and_is_counted(settings):
    registration = create_registration(settings)
    envelope = submitted_envelope()
    async with running(registration):
        await _publish_intake(settings, envelope)
        await _publish_intake(settings, envelope)
        inbox = registration_models.inbox
        await eventually(lambda: _scalar(registration, select(func.sum(inbox.c.duplicates))))
    assert await _count(registration, registration_models.registrations) == 1
    accepted = registration_models.outbox.c.event_type == "registration.accepted.v1"
    assert await _count(registration, registration_models.outbox, accepted) == 1


async def test_a_resent_registration_with_the_same_external_ref_creates_no_second_registration(settings):
    registration = create_registration(settings)
    first = submitted_envelope()
    resent = {**first, "event_id": str(uuid.uuid4())}  # another event, same source + external_ref
    async with running(registration):
        await _publish_intake(settings, first)
        await _publish_intake(settings, resent)
        inbox = registration_models.inbox
        await eventually(lambda: _count_eq(registration, inbox, 2))
    assert await _count(registration, registration_models.registrations) == 1


async def _count_eq(service, table, expected):
    return await _count(service, table) == expected


async def _count_eq_where(service, table, expected, *where):
    return await _count(service, table, *where) == expected


async def test_a_malformed_message_is_dead_lettered_with_its_reason_and_does_not_block_the_queue(
    settings, management
):
    registration = create_registration(settings)
    async with running(registration):
        await _publish_intake(settings, b"{this is not json")
        bad_age = submitted_envelope(birth_date="2015-01-01")
        await _publish_intake(settings, bad_age)
        good = submitted_envelope()
        await _publish_intake(settings, good)
        await eventually(lambda: _count(registration, registration_models.registrations))
        dead = await eventually(lambda: _dlq(management, "registration.intake.dlq", 2))
        rejected = registration_models.outbox.c.event_type == "registration.rejected.v1"
        await eventually(lambda: _count_eq_where(registration, registration_models.outbox, 2, rejected))
    reasons = sorted(m["properties"]["headers"]["x-rejection-reason"] for m in dead)
    assert reasons[0].startswith("birth_date: self-help groups are for adults")
    assert reasons[1].startswith("body is not valid JSON")
    async with registration.sessions() as session:
        payloads = (
            (await session.execute(select(registration_models.outbox.c.payload).where(rejected)))
            .scalars()
            .all()
        )
    answer = next(p for p in payloads if p["data"]["external_ref"] == bad_age["data"]["external_ref"])
    assert answer["data"]["errors"][0]["field"] == "birth_date"
    assert answer["causation_id"] == bad_age["event_id"]


async def test_an_invalid_message_is_dead_lettered_exactly_once_whatever_its_event_type_holds(
    settings, management
):
    """Once a copy of a message is in the DLQ, nothing may fail before the ack: a failure would requeue it
    and copy it again (found by the AMQP fuzz test: an `event_type` that is a JSON object)."""
    registration = create_registration(settings)
    odd_types = [{"": []}, ["registration.submitted.v1"], 7, None, True]
    async with running(registration):
        for odd in odd_types:
            await _publish_intake(settings, {**submitted_envelope(), "event_type": odd})
        good = submitted_envelope()
        await _publish_intake(settings, good)
        await eventually(lambda: _count(registration, registration_models.registrations))
        await eventually(lambda: _dlq(management, "registration.intake.dlq", len(odd_types)))
        await asyncio.sleep(1.0)  # a requeued copy would be redelivered (and copied again) within this
        dead = await management.get_messages("registration.intake.dlq")
    assert len(dead) == len(odd_types)
    assert all(
        m["properties"]["headers"]["x-rejection-reason"].startswith("unknown event_type") for m in dead
    )
    assert not any("x-death" in m["properties"]["headers"] for m in dead)  # none hit the delivery limit


async def _dlq(management, queue: str, expected: int):
    messages = await management.get_messages(queue)
    return messages if len(messages) >= expected else None


async def test_a_poison_message_reaches_the_dlq_after_the_delivery_limit(settings, management):
    from services.grouping.models import metadata

    service = Service("grouping", metadata, settings)
    calls = []

    async def buggy(session, envelope):
        calls.append(envelope.event_id)
        raise RuntimeError("a bug, not the message's fault")

    service.consume("grouping.pool", {"registration.accepted.v1": buggy})
    registration = create_registration(settings)
    async with running(service), running(registration):
        async with registration.sessions() as session, session.begin():
            await commands.submit_registration(
                session, registration.outbox, RegistrationDetails.model_validate(registration_body())
            )
        registration.relay.wake()
        dead = await eventually(lambda: _dlq(management, "grouping.pool.dlq", 1), timeout=30)
    assert len(calls) == settings.delivery_limit + 1
    assert dead[0]["properties"]["headers"]["x-death"][0]["reason"] == "delivery_limit"


async def test_a_database_outage_makes_the_consumer_retry_and_then_succeed(settings):
    url = make_url(settings.database_url)
    proxy = await TcpProxy(url.host, url.port).start()
    through_proxy = settings.model_copy(
        update={"database_url": url.set(port=proxy.port).render_as_string(hide_password=False)}
    )
    registration = create_registration(through_proxy)
    try:
        async with running(registration):
            proxy.cut()
            envelopes = [submitted_envelope() for _ in range(5)]
            for envelope in envelopes:
                await _publish_intake(settings, envelope)
            await asyncio.sleep(2)  # the consumer is retrying against a dead database now
            proxy.restore()
            await eventually(
                lambda: _count_eq(registration, registration_models.registrations, 5), timeout=30
            )
    finally:
        await proxy.stop()
    direct = create_registration(settings)
    assert await _count(direct, registration_models.registrations) == 5
    await direct.engine.dispose()
