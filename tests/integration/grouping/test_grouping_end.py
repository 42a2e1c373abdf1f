"""Staff record that a running group's members decided to end it: the group is ended (closed_at set, members
out of it and out of the pool) and group.ended.v1 tells the calendar, notifications and registration,
whose retention then counts from that moment. Ending needs an explicit confirmation and a running group."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import insert, select

from services.grouping.app import create_app
from services.grouping.models import audit_log, groups, memberships, outbox, pool
from shared.auth import issue_staff_token
from tests.support import running

pytestmark = pytest.mark.integration


@pytest.fixture
async def app(settings):
    app = create_app(settings)
    async with running(app.state.service):
        yield app


@pytest.fixture
async def client(app, settings):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://grouping.test") as http:
        http.cookies.set("staff_token", issue_staff_token(settings.keyring(), "ane", "nord", ["staff"]))
        yield http


async def a_running_group(service, members: list[uuid.UUID], status: str = "started") -> uuid.UUID:
    group_id = uuid.uuid4()
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
                started_at=datetime(2026, 1, 6, tzinfo=UTC),
            )
        )
        for person in members:
            await session.execute(
                insert(pool).values(
                    participant_id=person,
                    district="nord",
                    municipality="1804",
                    birth_date=datetime(1980, 1, 1).date(),
                    gender="female",
                    topic="grief",
                    composition="any",
                    format="in_person",
                    availability=["tue_evening"],
                    single_gender=False,
                    registered_at=datetime(2025, 11, 1, tzinfo=UTC),
                    status="member",
                )
            )
            await session.execute(
                insert(memberships).values(group_id=group_id, participant_id=person, status="accepted")
            )
    return group_id


async def rows(service, statement) -> list:
    async with service.sessions() as session:
        return list((await session.execute(statement)).all())


async def test_staff_end_a_running_group_and_everyone_hears_of_it(app, client):
    service = app.state.service
    members = [uuid.uuid4() for _ in range(4)]
    group_id = await a_running_group(service, members)

    page = await client.get(f"/staff/groups/{group_id}")
    assert f'action="/staff/groups/{group_id}/end"' in page.text

    response = await client.post(f"/staff/groups/{group_id}/end", data={"decided": "yes"})
    assert response.status_code == 303 and "done=ended" in response.headers["location"]

    (group,) = await rows(service, select(groups.c.status, groups.c.closed_at))
    assert group.status == "ended" and group.closed_at is not None
    assert {r.status for r in await rows(service, select(memberships.c.status))} == {"left"}
    assert await rows(service, select(pool.c.participant_id)) == []
    ended = await rows(service, select(outbox.c.payload).where(outbox.c.event_type == "group.ended.v1"))
    assert [e.payload["data"]["group_id"] for e in ended] == [str(group_id)]
    assert sorted(ended[0].payload["data"]["members"]) == sorted(str(m) for m in members)
    audit = await rows(service, select(audit_log.c.actor, audit_log.c.action, audit_log.c.subject_id))
    # Reading the group's page is audited too (read_group); ending it once.
    assert [tuple(a) for a in audit if a.action != "read_group"] == [("ane", "end_group", group_id)]


async def test_ending_needs_a_confirmation_and_a_running_group(app, client):
    service = app.state.service
    running_group = await a_running_group(service, [uuid.uuid4()])
    proposed = await a_running_group(service, [uuid.uuid4()], status="proposed")

    unconfirmed = await client.post(f"/staff/groups/{running_group}/end", data={})
    assert unconfirmed.status_code == 303 and "error=" in unconfirmed.headers["location"]
    not_running = await client.post(f"/staff/groups/{proposed}/end", data={"decided": "yes"})
    assert not_running.status_code == 303 and "error=" in not_running.headers["location"]

    statuses = dict(await rows(service, select(groups.c.group_id, groups.c.status)))
    assert statuses == {running_group: "started", proposed: "proposed"}
    assert await rows(service, select(outbox.c.id).where(outbox.c.event_type == "group.ended.v1")) == []


async def test_a_group_whose_meetings_staff_ended_on_a_date_in_the_calendar_ends_after_that_day(
    app, settings
):
    """The calendar's dated end (its staff API) reaches grouping as meeting.changed.v1 with `last_day`: the
    group is still running up to that day and ends after it, so every service follows group.ended.v1."""
    from services.grouping.decision_job import DecisionJob
    from shared.contracts import MeetingChanged
    from shared.messaging import exchange_of
    from tests.support import eventually
    from tests.support.bus import publish

    service = app.state.service
    # The service's clock, set before the group exists: its own decision job (running) reads it too.
    service.clock = lambda: datetime(2027, 2, 20, 12, 0, tzinfo=UTC)
    members = [uuid.uuid4() for _ in range(5)]
    group_id = await a_running_group(service, members)
    last_day = datetime(2027, 2, 23, tzinfo=UTC).date()
    changed = MeetingChanged(group_id=group_id, summary="The meetings end", last_day=last_day)
    await publish(settings, exchange_of("calendar"), changed.envelope(source="calendar"))

    async def recorded():
        return (await rows(service, select(groups.c.last_day).where(groups.c.group_id == group_id)))[0][0]

    assert await eventually(recorded, timeout=20) == last_day
    job = DecisionJob(service)
    service.clock = lambda: datetime(2027, 2, 23, 20, 0, tzinfo=UTC)  # the last meeting's evening
    await job.run_once()
    assert (await rows(service, select(groups.c.status).where(groups.c.group_id == group_id)))[0][
        0
    ] == "started"
    service.clock = lambda: datetime(2027, 2, 24, 9, 0, tzinfo=UTC)  # the day after
    await job.run_once()
    ((status, closed_at),) = await rows(
        service, select(groups.c.status, groups.c.closed_at).where(groups.c.group_id == group_id)
    )
    assert status == "ended" and closed_at is not None
    ended = await rows(service, select(outbox.c.payload).where(outbox.c.event_type == "group.ended.v1"))
    assert len(ended) == 1 and ended[0][0]["data"]["group_id"] == str(group_id)
    audit = await rows(service, select(audit_log.c.actor).where(audit_log.c.subject_id == group_id))
    assert ("calendar-end",) in audit
