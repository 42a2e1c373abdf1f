"""Retention of people who got a place: registration hears from grouping when a person's group was over
for them (it ended or dissolved, or they left it) and erases them `placed_retention_days` after that, the
same way as a person's own erasure (participant.erased.v1, so every service forgets them). Explicit dates:
the events happened when they say, and the job runs at NOW."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text, update

from services.registration import commands
from services.registration.app import create_service
from services.registration.models import registrations
from services.registration.retention import RetentionJob
from shared.contracts import (
    GroupDissolved,
    GroupEnded,
    GroupMemberJoined,
    GroupMemberLeft,
    GroupStarted,
    RegistrationDetails,
)
from shared.messaging import Publisher, declare_topology, exchange_of
from shared.messaging.topology import TOPOLOGY
from tests.support import eventually, running
from tests.support.factories import registration_body

pytestmark = pytest.mark.integration

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
LONG_AGO = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)  # 396 days before NOW
LATELY = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)  # 92 days before NOW


def without_background_retention(service):
    """The running service's own job would erase by today's date; this test runs it at NOW only."""
    service.background = [job for job in service.background if not isinstance(job, RetentionJob)]
    return service


async def register(service) -> uuid.UUID:
    async with service.sessions() as session, session.begin():
        submitted = await commands.submit_registration(
            session, service.outbox, RegistrationDetails.model_validate(registration_body())
        )
        # Long before NOW: had they never been placed, the other rule would erase them all.
        await session.execute(
            update(registrations)
            .where(registrations.c.participant_id == submitted.participant_id)
            .values(registered_at=datetime(2025, 1, 1, tzinfo=UTC))
        )
    return submitted.participant_id


async def from_grouping(settings, *events: tuple[object, datetime]) -> None:
    """Publish grouping's events as grouping would have when they happened."""
    publisher = Publisher(settings.rabbitmq_url)
    await publisher.connect()
    try:
        await declare_topology(publisher.channel, TOPOLOGY.queues, settings.delivery_limit)
        for event, at in events:
            envelope = event.envelope(source="grouping").model_copy(update={"occurred_at": at})
            await publisher.publish(
                exchange_of("grouping"), envelope.event_type, envelope.model_dump(mode="json")
            )
    finally:
        await publisher.close()


async def left_at(service) -> dict[uuid.UUID, datetime | None]:
    async with service.sessions() as session:
        rows = await session.execute(select(registrations.c.participant_id, registrations.c.left_group_at))
        return dict(rows.all())


async def erased_ids(service) -> list[str]:
    async with service.sessions() as session:
        payloads = await session.execute(
            text("SELECT payload FROM registration.outbox WHERE event_type = 'participant.erased.v1'")
        )
        return sorted(p["data"]["participant_id"] for p in payloads.scalars())


async def test_the_placed_are_erased_a_period_after_their_group_was_over_for_them(settings):
    service = without_background_retention(
        create_service(settings.model_copy(update={"placed_retention_days": 365}))
    )
    ended_long_ago, ended_lately, left_long_ago, stayed, running_group, moved_on, dissolved_long_ago = [
        await register(service) for _ in range(7)
    ]
    old_group, recent_group, group, first, second, gone = (uuid.uuid4() for _ in range(6))
    async with running(service):
        await from_grouping(
            settings,
            (GroupStarted(group_id=old_group, members=[ended_long_ago]), datetime(2025, 3, 1, tzinfo=UTC)),
            (GroupStarted(group_id=recent_group, members=[ended_lately]), datetime(2025, 3, 1, tzinfo=UTC)),
            (GroupStarted(group_id=group, members=[left_long_ago, stayed]), datetime(2025, 3, 1, tzinfo=UTC)),
            (
                GroupMemberJoined(group_id=group, participant_id=running_group),
                datetime(2025, 9, 1, tzinfo=UTC),
            ),
            (GroupStarted(group_id=gone, members=[dissolved_long_ago]), datetime(2025, 3, 1, tzinfo=UTC)),
            # Placed, the group dissolved long ago, placed again in a group that still runs.
            (GroupStarted(group_id=first, members=[moved_on]), datetime(2025, 3, 1, tzinfo=UTC)),
            (GroupDissolved(group_id=first, reason="too few"), LONG_AGO),
            (GroupStarted(group_id=second, members=[moved_on]), datetime(2026, 6, 1, tzinfo=UTC)),
            (GroupEnded(group_id=old_group), LONG_AGO),
            (GroupEnded(group_id=recent_group), LATELY),
            (GroupMemberLeft(group_id=group, participant_id=left_long_ago), LONG_AGO),
            (GroupDissolved(group_id=gone, reason="below minimum"), LONG_AGO),
            # A late word about the old group changes nothing for the one who moved on.
            (GroupMemberLeft(group_id=first, participant_id=moved_on), LONG_AGO),
        )

        async def all_heard():
            seen = await left_at(service)
            return seen if seen[dissolved_long_ago] and seen[left_long_ago] and seen[ended_lately] else None

        seen = await eventually(all_heard, timeout=20)
    assert seen == {
        ended_long_ago: LONG_AGO,
        ended_lately: LATELY,
        left_long_ago: LONG_AGO,
        stayed: None,
        running_group: None,
        moved_on: None,
        dissolved_long_ago: LONG_AGO,
    }

    assert await RetentionJob(service).run_once(now=NOW) == 3

    assert set(await left_at(service)) == {ended_lately, stayed, running_group, moved_on}
    assert await erased_ids(service) == sorted(
        str(p) for p in (ended_long_ago, left_long_ago, dissolved_long_ago)
    )
    assert await RetentionJob(service).run_once(now=NOW) == 0
    await service.engine.dispose()


async def test_a_new_placement_stops_the_clock_of_the_last_group(settings):
    service = create_service(settings.model_copy(update={"placed_retention_days": 30}))
    person = await register(service)
    first, second = uuid.uuid4(), uuid.uuid4()
    async with service.sessions() as session, session.begin():
        await commands.mark_placed(session, [person], first)
        assert await commands.mark_left_group(session, first, LONG_AGO) == 1
        await commands.mark_placed(session, [person], second)
        assert await commands.mark_left_group(session, first, LONG_AGO, participant_id=person) == 0
    assert (await left_at(service))[person] is None
    assert await RetentionJob(service).run_once(now=NOW) == 0
    await service.engine.dispose()


async def test_people_placed_before_groups_were_recorded_are_found_by_the_member_list(settings):
    service = create_service(settings.model_copy(update={"placed_retention_days": 365}))
    placed_earlier, left_earlier, never_placed, elsewhere = [await register(service) for _ in range(4)]
    group = uuid.uuid4()
    async with service.sessions() as session, session.begin():
        await commands.mark_placed(session, [placed_earlier, left_earlier])  # group not known
        await commands.mark_placed(session, [elsewhere], uuid.uuid4())
        members = [placed_earlier, never_placed, elsewhere]
        assert await commands.mark_left_group(session, group, LONG_AGO, members) == 1
        assert await commands.mark_left_group(session, group, LONG_AGO, participant_id=left_earlier) == 1
    seen = await left_at(service)
    assert (seen[placed_earlier], seen[left_earlier]) == (LONG_AGO, LONG_AGO)
    assert (seen[never_placed], seen[elsewhere]) == (None, None)

    # The never-placed one goes by the other rule (registered long before NOW); the one elsewhere stays.
    assert await RetentionJob(service).run_once(now=NOW) == 3
    assert set(await left_at(service)) == {elsewhere}
    await service.engine.dispose()
