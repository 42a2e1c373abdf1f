"""Retention in grouping, against the real database with an explicit `now`: who was in a group that
dissolved or ended (memberships, invitations, admission votes, attendance) is deleted
`closed_group_retention_days` after it closed; running groups and recently closed ones keep theirs."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert, select, update

from services.grouping.app import create_service
from services.grouping.commands.invitations import dissolve
from services.grouping.models import (
    admission_candidates,
    admission_requests,
    admission_votes,
    attendance,
    candidate_votes,
    groups,
    invitations,
    memberships,
)

pytestmark = pytest.mark.integration

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)
PERSON_TABLES = (memberships, invitations, attendance, admission_votes)


async def a_group(service, status: str, closed_at: datetime | None) -> uuid.UUID:
    """A group with two members who were invited, voted on a newcomer and reported an absence."""
    group_id = uuid.uuid4()
    members = [uuid.uuid4(), uuid.uuid4()]
    request_id = uuid.uuid4()
    async with service.sessions() as session, session.begin():
        await session.execute(
            insert(groups).values(
                group_id=group_id,
                district="nord",
                slot="tue_evening",
                format="in_person",
                status=status,
                topics=["grief"],
                municipalities=["1804"],
                formed_at=datetime(2025, 1, 1, tzinfo=UTC),
                closed_at=closed_at,
            )
        )
        left = status in ("dissolved", "ended")
        for person in members:
            await session.execute(
                insert(memberships).values(
                    group_id=group_id, participant_id=person, status="left" if left else "accepted"
                )
            )
            await session.execute(
                insert(invitations).values(
                    group_id=group_id, participant_id=person, expires_at=datetime(2025, 1, 8, tzinfo=UTC)
                )
            )
            await session.execute(
                insert(attendance).values(
                    group_id=group_id,
                    participant_id=person,
                    meeting_start=datetime(2025, 2, 4, 17, tzinfo=UTC),
                    absent=True,
                )
            )
        await session.execute(
            insert(admission_requests).values(
                request_id=request_id,
                group_id=group_id,
                status="refused",
                vote_by=datetime(2025, 3, 1, tzinfo=UTC),
            )
        )
        for person in members:
            await session.execute(
                insert(admission_votes).values(request_id=request_id, participant_id=person, yes=False)
            )
            # The members voted on a newcomer candidate too (issue 22).
            await session.execute(
                insert(candidate_votes).values(request_id=request_id, position=1, voter_id=person, yes=False)
            )
        await session.execute(
            insert(admission_candidates).values(
                request_id=request_id, participant_id=uuid.uuid4(), position=1, status="refused"
            )
        )
    return group_id


async def groups_with_people(service) -> dict[str, set[uuid.UUID]]:
    async with service.sessions() as session:
        found = {}
        for table in (memberships, invitations, attendance):
            found[table.name] = set((await session.execute(select(table.c.group_id))).scalars())
        found[admission_votes.name] = set(
            (
                await session.execute(
                    select(admission_requests.c.group_id).join(
                        admission_votes, admission_votes.c.request_id == admission_requests.c.request_id
                    )
                )
            ).scalars()
        )
        return found


async def test_people_of_groups_closed_longer_than_the_period_are_forgotten(settings):
    service = create_service(settings.model_copy(update={"closed_group_retention_days": 90}))
    days = service.settings.closed_group_retention_days
    dissolved_long_ago = await a_group(service, "dissolved", NOW - timedelta(days=days + 1))
    ended_long_ago = await a_group(service, "ended", NOW - timedelta(days=days + 30))
    ended_lately = await a_group(service, "ended", NOW - timedelta(days=days - 1))
    running = await a_group(service, "started", None)

    removed = await service.retention.run_once(now=NOW)

    assert {
        what: removed[what]
        for what in (
            "memberships",
            "invitations",
            "attendance",
            "admission votes",
            "newcomer candidates",
            "newcomer votes",
        )
    } == {
        "memberships": 4,
        "invitations": 4,
        "attendance": 4,
        "admission votes": 4,
        "newcomer candidates": 2,
        "newcomer votes": 4,
    }
    kept = {ended_lately, running}
    assert await groups_with_people(service) == {table.name: kept for table in PERSON_TABLES}
    async with service.sessions() as session:  # the groups themselves (nobody in them) stay
        assert set((await session.execute(select(groups.c.group_id))).scalars()) == kept | {
            dissolved_long_ago,
            ended_long_ago,
        }
    assert not any((await service.retention.run_once(now=NOW)).values())
    await service.engine.dispose()


async def test_a_dissolved_group_records_when_it_closed(settings):
    service = create_service(settings)
    group_id = await a_group(service, "proposed", None)
    async with service.sessions() as session, session.begin():
        await session.execute(update(memberships).values(status="invited"))
        await dissolve(session, service.outbox, group_id, reason="too few")
    async with service.sessions() as session:
        row = (await session.execute(select(groups.c.status, groups.c.closed_at))).one()
    assert row.status == "dissolved"
    assert row.closed_at is not None
    await service.engine.dispose()
