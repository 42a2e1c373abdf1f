"""The `lasting` grouping policy in the running service (real PostgreSQL and RabbitMQ, the planner's clock
set by the test): four people who could form a group are held back while a fifth who fits is likely
(people like them arrived steadily), and the group forms once holding it would pass the limit."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import insert, select, update

from services.grouping import domain
from services.grouping.app import create_service
from services.grouping.commands.invitations import answer_invitation, start_due_groups
from services.grouping.models import groups, outbox, pool
from shared.contracts import RegistrationAccepted
from shared.messaging import exchange_of
from tests.support import eventually, running
from tests.support.bus import publish

pytestmark = pytest.mark.integration

RULES = domain.PlanningRules(method="heuristic", time_limit_s=5)
TODAY = date(2031, 3, 3)  # the planner's day in this test, not the machine's
POOL_COLUMNS = {
    "participant_id",
    "district",
    "municipality",
    "birth_date",
    "gender",
    "topic",
    "composition",
    "format",
    "availability",
    "single_gender",
    "registered_at",
}


def accepted(index: int, registered: date) -> RegistrationAccepted:
    return RegistrationAccepted(
        participant_id=uuid.uuid4(),
        district="nord",
        municipality="1804",
        birth_date=date(1990, 1, 1) + timedelta(days=60 * index),
        gender="female" if index % 2 else "male",  # two and two: no lone man or woman
        topic="grief",
        composition="any",
        format="in_person",
        availability=["tue_evening"],
        single_gender=False,
        registered_at=datetime.combine(registered, time(12), tzinfo=UTC),
    )


async def formed_groups(service) -> list[set[str]]:
    async with service.sessions() as session:
        rows = await session.execute(
            select(outbox.c.payload).where(outbox.c.event_type == "group.formed.v1").order_by(outbox.c.id)
        )
        return [set(r.payload["data"]["members"]) for r in rows]


async def reasons_of(service, people) -> list:
    async with service.sessions() as session:
        rows = await session.execute(
            select(pool.c.waiting_reasons).where(
                pool.c.participant_id.in_([p.participant_id for p in people])
            )
        )
        return [r.waiting_reasons for r in rows]


async def test_a_group_of_four_is_held_while_a_fifth_is_likely_and_formed_at_the_limit(settings):
    settings = settings.model_copy(
        update={"planning_debounce_seconds": 0.2, "planner_poll_seconds": 0.1, "grouping_policy": "lasting"}
    )
    service = create_service(settings, RULES)
    clock = {"today": TODAY}
    service.planner.today = lambda: clock["today"]
    # Eight people like them arrived over the last two months and are in groups now ...
    earlier = [accepted(i, TODAY - timedelta(days=60 - 6 * i)) for i in range(8)]
    # ... then four who could form a group of four, the newest of them registered a week ago.
    four = [accepted(10 + i, TODAY - timedelta(days=10 - i)) for i in range(4)]
    async with running(service):
        async with service.transaction() as uow:
            await uow.session.execute(
                insert(pool), [{**p.model_dump(include=POOL_COLUMNS), "status": "member"} for p in earlier]
            )
        await publish(
            settings, exchange_of("registration"), *(p.envelope(source="registration") for p in four)
        )

        async def held() -> bool:
            reasons = await reasons_of(service, four)
            return len(reasons) == 4 and all(r and r[0]["code"] == "held_for_larger" for r in reasons)

        await eventually(held)
        assert await formed_groups(service) == []  # held back: a fifth who fits is likely soon

        # `max_hold_days` after the newest of them registered (a week before TODAY), holding would pass
        # the limit: the group forms at that day's plan.
        clock["today"] = TODAY + timedelta(days=settings.grouping_max_hold_days - 6)
        await service.planner.request_all()
        service.wake_planner()

        async def formed() -> list[set[str]] | None:
            return await formed_groups(service) or None

        groups = await eventually(formed)
    assert groups == [{str(p.participant_id) for p in four}]


async def test_under_lasting_a_group_everyone_accepted_starts_at_its_deadline_not_before(settings):
    """A group below the target size stays open for newcomers until its answer deadline, then starts."""
    settings = settings.model_copy(
        update={
            "planning_debounce_seconds": 0.2,
            "planner_poll_seconds": 3600.0,
            "grouping_policy": "lasting",
        }
    )
    service = create_service(settings, RULES)
    clock = {"today": TODAY}
    service.planner.today = lambda: clock["today"]
    # Four who fit, and nobody else like them has registered: holding for a fifth is pointless.
    four = [accepted(20 + i, TODAY - timedelta(days=10 - i)) for i in range(4)]
    async with running(service):
        await publish(
            settings, exchange_of("registration"), *(p.envelope(source="registration") for p in four)
        )
        await eventually(lambda: formed_groups(service))
        async with service.transaction() as uow:
            for person in four:
                await answer_invitation(
                    uow.session,
                    uow.outbox,
                    person.participant_id,
                    accept=True,
                    confidentiality_confirmed=True,
                    as_of=TODAY,
                    rules=service.rules,
                    timing=service.timing,
                )

        async def status() -> str:
            async with service.sessions() as session:
                return (await session.execute(select(groups.c.status))).scalar_one()

        assert await status() == "proposed"  # all accepted; open for a fifth until the deadline
        # From here the moments are the test's own: the group formed at a fixed time, then a day and a
        # deadline later.
        formed = datetime.combine(TODAY, time(12), UTC)
        deadline = formed + timedelta(days=service.timing.invitation_days)

        async def start_due(now: datetime) -> int:
            async with service.transaction() as uow:
                return await start_due_groups(
                    uow.session, uow.outbox, now=now, as_of=TODAY, rules=service.rules, timing=service.timing
                )

        async with service.transaction() as uow:
            await uow.session.execute(update(groups).values(formed_at=formed))
        assert await start_due(formed + timedelta(days=1)) == 0
        assert await status() == "proposed"
        assert await start_due(deadline + timedelta(minutes=1)) == 1
        assert await status() == "started"
