"""Retention: registrations that never led to a group are erased after the retention period; placements
(group.started.v1, group.member_joined.v1) mark those that did."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, text, update

from services.registration import commands
from services.registration.app import create_service
from services.registration.models import audit_log, registrations
from services.registration.retention import LOCK_KEY, RetentionJob
from shared.contracts import GroupMemberJoined, GroupStarted, RegistrationDetails
from shared.messaging import Publisher, declare_topology, exchange_of
from shared.messaging.topology import TOPOLOGY
from tests.support import eventually, running
from tests.support.factories import registration_body

pytestmark = pytest.mark.integration


async def register(service, days_ago: int = 0) -> uuid.UUID:
    async with service.sessions() as session, session.begin():
        submitted = await commands.submit_registration(
            session, service.outbox, RegistrationDetails.model_validate(registration_body())
        )
        if days_ago:
            await session.execute(
                update(registrations)
                .where(registrations.c.participant_id == submitted.participant_id)
                .values(registered_at=func.now() - text(f"interval '{days_ago} days'"))
            )
    return submitted.participant_id


async def still_there(service) -> set[uuid.UUID]:
    async with service.sessions() as session:
        return set((await session.execute(select(registrations.c.participant_id))).scalars())


async def publish_from_grouping(settings, *events) -> None:
    publisher = Publisher(settings.rabbitmq_url)
    await publisher.connect()
    try:
        await declare_topology(publisher.channel, TOPOLOGY.queues, settings.delivery_limit)
        for event in events:
            envelope = event.envelope(source="grouping")
            await publisher.publish(
                exchange_of("grouping"), envelope.event_type, envelope.model_dump(mode="json")
            )
    finally:
        await publisher.close()


async def test_a_started_group_or_an_admission_marks_its_members_placed(settings):
    service = create_service(settings)
    waiting, started, admitted, withdrawn = [await register(service) for _ in range(4)]
    async with service.sessions() as session, session.begin():
        await commands.withdraw(session, service.outbox, withdrawn, actor="test")
    async with running(service):
        await publish_from_grouping(
            settings,
            GroupStarted(group_id=uuid.uuid4(), members=[started, withdrawn]),
            GroupMemberJoined(group_id=uuid.uuid4(), participant_id=admitted),
        )

        async def placed():
            async with service.sessions() as session:
                rows = (
                    await session.execute(
                        select(registrations.c.participant_id, registrations.c.status).where(
                            registrations.c.placed_at.is_not(None)
                        )
                    )
                ).all()
            return dict(rows) if len(rows) == 3 else None

        assert await eventually(placed, timeout=20) == {
            started: "placed",
            admitted: "placed",
            withdrawn: "withdrawn",  # led to a group, but a withdrawal stays a withdrawal
        }
    assert waiting in await still_there(service)


async def test_registrations_that_never_led_to_a_group_are_erased_after_the_retention_period(settings):
    service = create_service(settings.model_copy(update={"registration_retention_days": 30}))
    old = await register(service, days_ago=31)
    old_but_placed = await register(service, days_ago=400)
    recent = await register(service, days_ago=29)
    async with service.sessions() as session, session.begin():
        await commands.mark_placed(session, [old_but_placed])

    assert await RetentionJob(service).run_once() == 1

    assert await still_there(service) == {old_but_placed, recent}
    async with service.sessions() as session:
        erased_events = (
            (
                await session.execute(
                    text("SELECT payload FROM registration.outbox WHERE event_type = 'participant.erased.v1'")
                )
            )
            .scalars()
            .all()
        )
        actors = (
            (await session.execute(select(audit_log.c.actor).where(audit_log.c.action == "erase")))
            .scalars()
            .all()
        )
    assert [e["data"]["participant_id"] for e in erased_events] == [str(old)]
    assert actors == ["retention"]
    assert await RetentionJob(service).run_once() == 0  # nothing left to do
    await service.engine.dispose()


async def test_only_one_replica_runs_the_job_at_a_time(settings):
    service = create_service(settings.model_copy(update={"registration_retention_days": 30}))
    old = await register(service, days_ago=60)
    async with service.engine.connect() as other_replica, other_replica.begin():
        await other_replica.execute(select(func.pg_advisory_xact_lock(LOCK_KEY)))
        assert await RetentionJob(service).run_once() == 0
        assert old in await still_there(service)
    assert await RetentionJob(service).run_once() == 1
    await service.engine.dispose()


async def test_the_job_runs_in_the_background_of_the_running_service(settings):
    service = create_service(
        settings.model_copy(
            update={"registration_retention_days": 30, "registration_retention_interval_seconds": 0.2}
        )
    )
    old = await register(service, days_ago=45)
    async with running(service):
        later = await register(service, days_ago=45)  # found by a later pass, not only the first

        async def both_gone():
            return not ({old, later} & await still_there(service))

        await eventually(both_gone, timeout=20)
