"""A corrected registration reaches grouping's pool: registration.changed.v1 moves a waiting person's pool
row (municipality, district, times, topic, wishes) and asks for planning of the old and the new district;
a person already invited keeps their row as it is."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import delete, select, update

from services.grouping.app import create_service
from services.grouping.models import planning_requests, pool
from shared.contracts import RegistrationAccepted, RegistrationChanged
from shared.messaging import exchange_of
from tests.support import eventually, running
from tests.support.bus import publish

pytestmark = pytest.mark.integration


def accepted(participant_id: uuid.UUID) -> RegistrationAccepted:
    return RegistrationAccepted(
        participant_id=participant_id,
        district="nord",
        municipality="1804",
        birth_date=date(1980, 5, 1),
        gender="female",
        topic="grief",
        composition="any",
        format="in_person",
        availability=["tue_evening"],
        single_gender=False,
        registered_at=datetime(2026, 9, 1, 12, 0, tzinfo=UTC),
    )


def changed(participant_id: uuid.UUID) -> RegistrationChanged:
    return RegistrationChanged(
        participant_id=participant_id,
        district="midt",
        municipality="5001",
        topic="anxiety",
        composition="same_topic",
        format="digital",
        availability=["wed_evening", "thu_evening"],
        changed=["municipality", "topic", "composition", "format", "availability"],
    )


async def rows(service, statement) -> list:
    async with service.sessions() as session:
        return list((await session.execute(statement)).all())


async def test_a_correction_moves_the_waiting_person_and_plans_both_districts(settings):
    service = create_service(settings)
    # The planner would take the requests at once; this test looks at them.
    service.background = [job for job in service.background if job is not service.planner]
    waiting, invited = uuid.uuid4(), uuid.uuid4()
    async with running(service):
        await publish(settings, exchange_of("registration"), *(accepted(p).envelope(source="registration") for p in (waiting, invited)))  # fmt: skip
        await eventually(lambda: _is(_count(service, select(pool.c.participant_id)), 2), timeout=20)
        async with service.sessions() as session, session.begin():
            await session.execute(delete(planning_requests))
            await session.execute(
                update(pool).where(pool.c.participant_id == invited).values(status="invited")
            )
        await publish(
            settings,
            exchange_of("registration"),
            *(changed(p).envelope(source="registration") for p in (waiting, invited)),
        )

        async def planned() -> set[str]:
            return {r.district for r in await rows(service, select(planning_requests.c.district))}

        await eventually(lambda: _is(planned(), {"nord", "midt"}), timeout=20)
        [moved] = await rows(service, select(pool).where(pool.c.participant_id == waiting))
        assert (moved.district, moved.municipality, moved.topic) == ("midt", "5001", "anxiety")
        assert (moved.composition, moved.format) == ("same_topic", "digital")
        assert moved.availability == ["wed_evening", "thu_evening"] and moved.status == "waiting"
        [kept] = await rows(service, select(pool).where(pool.c.participant_id == invited))
        assert (kept.district, kept.municipality, kept.availability) == ("nord", "1804", ["tue_evening"])


async def _count(service, statement) -> int:
    return len(await rows(service, statement))


async def _is(pending, expected) -> bool:
    return await pending == expected
