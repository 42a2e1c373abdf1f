"""Retention in the calendar, against the real database with an explicit `now`: the member list and the
absences of a group that ended (or dissolved) go `closed_group_retention_days` after that; a running
group's and a lately ended group's stay, and so does the group itself (nobody in it)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from calendar_harness import new_service
from sqlalchemy import insert, select

from services.calendar.commands import end_group
from services.calendar.models import absences, groups, memberships

pytestmark = pytest.mark.integration

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)


async def a_group(service, status: str, ended_at: datetime | None) -> uuid.UUID:
    group_id = uuid.uuid4()
    async with service.sessions() as session, session.begin():
        await session.execute(
            insert(groups).values(
                group_id=group_id,
                district="nord",
                slot="tue_evening",
                format="in_person",
                municipalities=["1804"],
                status=status,
                ended_at=ended_at,
            )
        )
        for _ in range(3):
            person = uuid.uuid4()
            await session.execute(insert(memberships).values(group_id=group_id, participant_id=person))
            await session.execute(
                insert(absences).values(
                    group_id=group_id,
                    participant_id=person,
                    meeting_start=datetime(2026, 2, 3, 17, tzinfo=UTC),
                )
            )
    return group_id


async def groups_in(service, table) -> set[uuid.UUID]:
    async with service.sessions() as session:
        return set((await session.execute(select(table.c.group_id))).scalars())


async def test_members_and_absences_of_groups_ended_longer_than_the_period_are_forgotten(settings):
    service = new_service(settings.model_copy(update={"closed_group_retention_days": 90}))
    ended_long_ago = await a_group(service, "ended", NOW - timedelta(days=91))
    ended_lately = await a_group(service, "ended", NOW - timedelta(days=89))
    running = await a_group(service, "scheduled", None)

    removed = await service.retention.run_once(now=NOW)

    assert (removed["memberships"], removed["absences"]) == (3, 3)
    assert await groups_in(service, memberships) == {ended_lately, running}
    assert await groups_in(service, absences) == {ended_lately, running}
    assert await groups_in(service, groups) == {ended_long_ago, ended_lately, running}
    assert not any((await service.retention.run_once(now=NOW)).values())
    await service.engine.dispose()


async def test_ending_a_group_records_when(settings):
    service = new_service(settings)
    group_id = await a_group(service, "failed", None)  # never scheduled: no series, no bookings
    async with service.sessions() as session, session.begin():
        await end_group(session, service.calendar, group_id, NOW)
    async with service.sessions() as session:
        row = (await session.execute(select(groups.c.status, groups.c.ended_at))).one()
    assert row.status == "ended"
    assert row.ended_at is not None
    await service.engine.dispose()
