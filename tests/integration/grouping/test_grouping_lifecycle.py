"""A group's life against real RabbitMQ and PostgreSQL: formed → invitations → answers → backfill →
started; two replicas never place a person twice."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import delete, func, literal_column, select, text

from services.grouping import domain
from services.grouping.app import create_app, create_service
from services.grouping.commands.planning import plan_district, request_planning
from services.grouping.models import groups, memberships, outbox, planning_requests, pool
from shared.auth import sign_link
from shared.contracts import RegistrationAccepted
from shared.messaging import exchange_of
from tests.support import eventually, running
from tests.support.bus import publish

pytestmark = pytest.mark.integration

RULES = domain.PlanningRules(method="heuristic", time_limit_s=5)


@pytest.fixture
def grouping_settings(settings):
    # These tests follow a group's life once formed (answers, refills, votes): under the `asap` policy
    # every possible group forms at once and nobody is topped up, which they count on. The `lasting`
    # policy's holding back and topping up have their own tests (test_grouping_policy_service.py).
    return settings.model_copy(
        update={"planning_debounce_seconds": 1.5, "planner_poll_seconds": 0.1, "grouping_policy": "asap"}
    )


def accepted(
    index: int, *, gender: str | None = None, registered_at: datetime | None = None
) -> RegistrationAccepted:
    return RegistrationAccepted(
        participant_id=uuid.uuid4(),
        district="nord",
        municipality="1804",
        birth_date=date(1988, 1, 1) + timedelta(days=90 * index),
        gender=gender or ("female" if index % 2 else "male"),
        topic="grief",
        composition="any",
        format="in_person",
        availability=["tue_evening"],
        single_gender=False,
        registered_at=registered_at or datetime.now(UTC) - timedelta(days=100 - index),
    )


async def join_pool(settings, people: list[RegistrationAccepted]) -> None:
    await publish(settings, exchange_of("registration"), *(p.envelope(source="registration") for p in people))


def _plans_timed() -> tuple[float, float]:
    def count(part: str) -> float:
        return REGISTRY.get_sample_value("selvhjelp_planning_seconds_count", {"part": part}) or 0.0

    return count("solve"), count("transaction")


async def query(service, statement):
    async with service.sessions() as session:
        return (await session.execute(statement)).all()


async def events(service, event_type: str) -> list[dict]:
    rows = await query(
        service, select(outbox.c.payload).where(outbox.c.event_type == event_type).order_by(outbox.c.id)
    )
    return [r.payload for r in rows]


async def answer(client: httpx.AsyncClient, key: str, participant_id, decision: str, confirm: bool = True):
    token = sign_link(key, "invitation", participant_id)
    form = {"decision": decision} | ({"confidentiality": "yes"} if confirm else {})
    return await client.post(f"/invitations/{token}", data=form)


async def test_a_group_forms_invites_backfills_after_declines_and_starts(grouping_settings):
    app = create_app(grouping_settings, RULES)
    service = app.state.service
    first_six = [accepted(i) for i in range(6)]
    plans_before = _plans_timed()
    async with (
        running(service),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://grouping") as client,
    ):
        await join_pool(grouping_settings, first_six)
        formed = await eventually(lambda: events(service, "group.formed.v1"))
        assert len(formed) == 1 and len(formed[0]["data"]["members"]) == 6
        # The plan was timed for the operators' dashboard: the solve, and the whole transaction around it.
        await eventually(
            lambda: all(after > before for after, before in zip(_plans_timed(), plans_before, strict=True))
        )
        group_id = uuid.UUID(formed[0]["data"]["group_id"])

        later_two = [accepted(10 + i) for i in range(2)]
        await join_pool(grouping_settings, later_two)
        await eventually(lambda: _pool_status(service, later_two, "waiting"))

        page = await client.get(
            f"/invitations/{sign_link(grouping_settings.keyring(), 'invitation', first_six[0].participant_id)}"
        )
        assert page.status_code == 200 and "Taushetserklæring" in page.text

        refused = await answer(
            client, grouping_settings.keyring(), first_six[0].participant_id, "accept", confirm=False
        )
        assert refused.status_code == 422 and "confidentiality" in refused.text

        for person in first_six[:3]:
            assert (
                await answer(client, grouping_settings.keyring(), person.participant_id, "accept")
            ).status_code == 200
        for person in first_six[3:]:
            assert (
                await answer(client, grouping_settings.keyring(), person.participant_id, "decline")
            ).status_code == 200

        joined = await events(service, "group.member_joined.v1")
        assert sorted(j["data"]["participant_id"] for j in joined) == sorted(
            str(p.participant_id) for p in later_two
        )
        assert await events(service, "group.started.v1") == []

        for person in later_two:
            assert (
                await answer(client, grouping_settings.keyring(), person.participant_id, "accept")
            ).status_code == 200
        started = await events(service, "group.started.v1")
    assert len(started) == 1
    expected = {str(p.participant_id) for p in first_six[:3] + later_two}
    assert set(started[0]["data"]["members"]) == expected
    status = await query(service, select(groups.c.status).where(groups.c.group_id == group_id))
    assert status[0].status == "started"
    # The three who declined are back in the pool with their original waiting time.
    back = await query(
        service,
        select(pool.c.status, pool.c.registered_at).where(
            pool.c.participant_id.in_([p.participant_id for p in first_six[3:]])
        ),
    )
    assert {r.status for r in back} <= {"waiting", "invited"}
    assert sorted(r.registered_at for r in back) == sorted(p.registered_at for p in first_six[3:])


async def _pool_status(service, people, status):
    rows = await query(
        service, select(pool.c.status).where(pool.c.participant_id.in_([p.participant_id for p in people]))
    )
    return len(rows) == len(people) and all(r.status == status for r in rows)


async def test_two_replicas_never_place_a_person_twice(grouping_settings):
    replicas = [create_service(grouping_settings, RULES), create_service(grouping_settings, RULES)]
    people = [accepted(i % 12, gender=None) for i in range(60)]
    async with running(replicas[0]), running(replicas[1]):
        await join_pool(grouping_settings, people)

        async def settled():
            rows = await query(
                replicas[0], select(func.count()).select_from(pool).where(pool.c.status == "invited")
            )
            formed = await events(replicas[0], "group.formed.v1")
            return formed if rows[0][0] >= 48 else None

        formed = await eventually(settled, timeout=60)
    placed = [m for event in formed for m in event["data"]["members"]]
    assert len(placed) == len(set(placed))
    active = await query(
        replicas[0],
        select(memberships.c.participant_id, func.count())
        .where(memberships.c.status.in_(["invited", "accepted"]))
        .group_by(memberships.c.participant_id),
    )
    assert all(count == 1 for _, count in active)
    await replicas[0].engine.dispose()


async def test_planning_is_requested_once_per_transaction_and_again_in_the_next(grouping_settings):
    service = create_service(grouping_settings, RULES)
    try:
        for _ in range(2):  # the same pooled connection: what the first transaction noted must not stick
            async with service.sessions() as session, session.begin():
                requests = await request_planning(session, "nord")
                assert requests is not None
                assert await request_planning(session, "nord") is None  # a batch's second message
                assert await request_planning(session, "vest") is requests
                assert await query(service, select(planning_requests)) == []  # written at commit
            assert requests.new == ["nord", "vest"]  # both new: the planner is woken
            async with service.sessions() as session, session.begin():
                again = await request_planning(session, "nord")  # a new transaction asks again
            assert again is not None and again.new == []  # one was waiting: no need to wake the planner
            async with service.sessions() as session, session.begin():
                assert await request_planning(session, "sor")
                await session.rollback()  # a rolled-back transaction's requests are not written
            assert sorted(r.district for r in await query(service, select(planning_requests))) == [
                "nord",
                "vest",
            ]
            async with service.sessions() as session, session.begin():
                await session.execute(delete(planning_requests))  # as the planner claims them
    finally:
        await service.engine.dispose()


async def until_done_or_waiting(service, task: asyncio.Task, timeout: float = 10.0) -> None:
    """Until the task is done or some transaction waits for a lock (the task reached a contested row)."""
    async with asyncio.timeout(timeout):
        while not task.done():
            async with service.engine.connect() as connection:
                if await connection.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted")):
                    return
            await asyncio.sleep(0.02)


async def test_two_transactions_asking_for_two_districts_in_opposite_orders_do_not_deadlock(
    grouping_settings,
):
    """Two replicas' consumer batches: one had registrations from nord then vest, the other from vest then
    nord. Each request was inserted at once, and an insert waits for another transaction's uncommitted
    insert of the same district: the first waited for the second's vest, the second for the first's nord,
    until PostgreSQL broke the deadlock off (40P01) a second later. Now each transaction writes its
    requests at commit, sorted: the later one waits its turn."""
    service = create_service(grouping_settings, RULES)
    first, second = await service.engine.connect(), await service.engine.connect()
    try:
        await first.begin()
        await second.begin()
        await request_planning(first, "nord")
        await request_planning(second, "vest")
        crossing = asyncio.create_task(request_planning(first, "vest"))
        await until_done_or_waiting(service, crossing)  # before: the first waited for the second's vest
        await request_planning(second, "nord")  # before: ... and the second for the first's nord
        await crossing
        await asyncio.gather(first.commit(), second.commit())  # one waits for the other: no circle
        assert sorted(r.district for r in await query(service, select(planning_requests))) == ["nord", "vest"]
    finally:
        await first.close()
        await second.close()
        await service.engine.dispose()


async def test_asking_to_plan_every_district_does_not_deadlock_with_a_batch(grouping_settings):
    """The planner's start (and hourly re-plan) asks for every district with people waiting, in whatever
    order PostgreSQL lists them: it waited for a batch's uncommitted request for the last district while
    the batch went on to ask for the first one, held by the planner. Now both write theirs at commit."""
    service = create_service(grouping_settings, RULES)
    people = [accepted(i).model_copy(update={"district": d}) for i, d in enumerate(["nord", "vest", "sor"])]
    await put_in_pool(service, people)
    listed = await query(service, select(pool.c.district).where(pool.c.status == "waiting").distinct())
    order = [r.district for r in listed]
    batch = await service.engine.connect()
    try:
        await batch.begin()
        await request_planning(batch, order[-1])  # a batch's first message
        request_all = asyncio.create_task(service.planner.request_all())
        await until_done_or_waiting(service, request_all)  # before: waited for the batch's last district
        await request_planning(batch, order[0])  # before: the planner held it: a deadlock
        await batch.commit()
        await request_all
        assert sorted(r.district for r in await query(service, select(planning_requests))) == sorted(order)
    finally:
        await batch.close()
        await service.engine.dispose()


async def put_in_pool(service, people: list[RegistrationAccepted]) -> None:
    async with service.sessions() as session, session.begin():
        await session.execute(
            pool.insert(),
            [
                {
                    "participant_id": p.participant_id,
                    "district": p.district,
                    "municipality": p.municipality,
                    "birth_date": p.birth_date,
                    "gender": p.gender.value,
                    "topic": p.topic.value,
                    "composition": p.composition.value,
                    "format": p.format.value,
                    "availability": list(p.availability),
                    "single_gender": p.single_gender,
                    "registered_at": p.registered_at,
                    "status": "waiting",
                }
                for p in people
            ],
        )


async def test_a_plan_leaves_out_a_person_being_changed_instead_of_deadlocking_with_the_change(
    grouping_settings,
):
    """A consumer batch changed two waiting people, A then B, while the district was being planned. The
    plan locked the waiting pool row by row: it held B and waited for A, held by the batch, which went on
    to B: a deadlock (40P01). Now the plan leaves A out: A keeps the reasons they were given before, and
    the district is asked to be planned again, so A is planned shortly."""
    service = create_service(grouping_settings, RULES)
    people = [accepted(i) for i in range(3)]  # too few for a group: each is told why they wait
    await put_in_pool(service, people)  # in this order on disk: the plan reaches B first, A last
    b, a = people[0].participant_id, people[-1].participant_id
    earlier = [{"code": "earlier", "text": "as told before"}]
    async with service.sessions() as session, session.begin():
        await session.execute(pool.update().values(waiting_reasons=earlier))

    async def plan():
        async with service.sessions() as session, session.begin():
            return await plan_district(
                session, service.outbox, "nord", as_of=date.today(), rules=RULES, timing=service.timing
            )

    def change(participant_id):
        return (
            pool.update().where(pool.c.participant_id == participant_id).values(availability=["wed_evening"])
        )

    batch = await service.engine.connect()
    try:
        await batch.begin()
        await batch.execute(change(a))  # the batch's first message: A's row is locked until it commits
        planning = asyncio.create_task(plan())
        await until_done_or_waiting(service, planning)  # before: the plan held B and waited for A
        await batch.execute(change(b))  # before: ... and this waited for the plan: a deadlock
        await batch.commit()
        outcome = await planning
    finally:
        await batch.close()
    try:
        assert outcome.waiting == 2  # B and the third, not A
        reasons = dict(await query(service, select(pool.c.participant_id, pool.c.waiting_reasons)))
        assert reasons[a] == earlier  # left out: not told anything new (nor that they wait for nothing)
        assert all(reasons[p.participant_id] not in (None, earlier) for p in people[:-1])
        assert [r.district for r in await query(service, select(planning_requests))] == ["nord"]
    finally:
        await service.engine.dispose()


async def test_a_district_whose_planning_request_was_lost_in_a_crash_is_planned_at_start(grouping_settings):
    # Six people waiting and no planning request: a replica claimed it and died before its plan committed.
    service = create_service(grouping_settings, RULES)
    people = [accepted(i) for i in range(6)]
    await put_in_pool(service, people)
    assert await query(service, select(planning_requests)) == []

    async with running(service):
        formed = await eventually(lambda: events(service, "group.formed.v1"))

    assert sorted(formed[0]["data"]["members"]) == sorted(str(p.participant_id) for p in people)


async def test_a_plan_rewrites_only_the_waiting_reasons_that_changed(grouping_settings):
    # A district is planned again at each change of its pool; rewriting everyone's unchanged reasons each
    # time was most of a plan's database work.
    service = create_service(grouping_settings, RULES)
    rows_version = select(pool.c.participant_id, pool.c.waiting_reasons, literal_column("xmin::text"))

    async def plan() -> None:
        async with service.sessions() as session, session.begin():
            await plan_district(
                session, service.outbox, "nord", as_of=date.today(), rules=RULES, timing=service.timing
            )

    try:
        await put_in_pool(service, [accepted(i) for i in range(3)])  # too few for a group
        await plan()
        first = sorted(await query(service, rows_version))
        assert all(r.waiting_reasons for r in first)  # each is told why they wait
        await plan()
        assert sorted(await query(service, rows_version)) == first  # same reasons: rows untouched

        await put_in_pool(service, [accepted(3, gender="female")])
        await plan()  # four now: a group forms, nobody is left waiting
        assert [r.waiting_reasons for r in await query(service, rows_version)] == [None] * 4
    finally:
        await service.engine.dispose()


async def test_a_re_plan_where_nobody_new_could_form_a_group_gives_the_reasons_without_a_search(
    grouping_settings,
):
    service = create_service(grouping_settings, RULES)
    planner = service.planner
    now = datetime.now(UTC) + timedelta(seconds=60)  # every request is due

    def count(part: str) -> float:
        return REGISTRY.get_sample_value("selvhjelp_planning_seconds_count", {"part": part}) or 0.0

    try:
        await put_in_pool(service, [accepted(i) for i in range(3)])  # too few for a group
        async with service.sessions() as session, session.begin():
            await request_planning(session, "nord")
        searches, shortcuts = count("solve"), count("reasons")
        assert await planner.plan_next_district(now)
        assert (count("solve"), count("reasons")) == (searches + 1, shortcuts)

        loner = accepted(3).model_copy(update={"availability": ["fri_daytime"]})  # no time in common
        await put_in_pool(service, [loner])
        async with service.sessions() as session, session.begin():
            await request_planning(session, "nord")
        assert await planner.plan_next_district(now)
        assert (count("solve"), count("reasons")) == (searches + 1, shortcuts + 1)
        reasons = dict(await query(service, select(pool.c.participant_id, pool.c.waiting_reasons)))
        assert reasons[loner.participant_id][0]["code"] == "no_common_slot"

        await put_in_pool(service, [accepted(4, gender="female")])  # completes a Tuesday group
        async with service.sessions() as session, session.begin():
            await request_planning(session, "nord")
        assert await planner.plan_next_district(now)
        assert count("solve") == searches + 2
        assert len(await events(service, "group.formed.v1")) == 1
    finally:
        await service.engine.dispose()


async def test_a_district_is_planned_when_its_request_falls_due_not_at_the_next_poll(grouping_settings):
    # The planner used to find requests only when it polled, adding up to a poll interval to every plan.
    # The consumer now wakes it for a new request, and it sleeps until that request is due. Here the poll
    # is an hour, and the person is still planned (told why they wait) within seconds.
    settings = grouping_settings.model_copy(
        update={"planning_debounce_seconds": 0.5, "planner_poll_seconds": 3600}
    )
    service = create_service(settings, RULES)
    newcomer = accepted(0)
    waiting_reasons = select(pool.c.waiting_reasons).where(pool.c.participant_id == newcomer.participant_id)

    async def told_why_they_wait():
        rows = await query(service, waiting_reasons)
        return rows and rows[0].waiting_reasons

    async with running(service):
        await join_pool(settings, [newcomer])
        reasons = await eventually(told_why_they_wait, timeout=10)
    assert reasons[0]["code"]  # one person alone: no group, and a reason why

    async with service.sessions() as session, session.begin():
        await request_planning(session, "nord")
    now = datetime.now(UTC)
    assert not await service.planner.plan_next_district(now)  # not due for half a second
    assert 0 < service.planner._next_due_in <= 0.5  # and the loop sleeps no longer than that
    await service.engine.dispose()
