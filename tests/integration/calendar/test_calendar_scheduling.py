"""Scheduling formed groups against real PostgreSQL and RabbitMQ: the right venue, a reason when nothing
fits, and never a venue booked twice, even with two schedulers racing."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from calendar_harness import (
    BODO,
    OSLO_KOMMUNE,
    TROMSO,
    EventTap,
    add_starter,
    add_venue,
    calendar_settings,
    count,
    formed_group,
    group_status,
    http_client,
    new_service,
    overlapping_bookings,
    publish_as,
    staff_headers,
    wait_until_decided,
)
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import IntegrityError

from services.calendar import commands
from services.calendar.models import groups, reminders, starter_bookings, venue_bookings
from services.calendar.plan import EXCLUSION_VIOLATION, Booker, meetings_between, sqlstate, sync_plan
from services.calendar.scheduling import claim_next_group, schedule_claimed
from services.calendar.series import MeetingSeries
from tests.support import running

pytestmark = pytest.mark.integration

OSLO = ZoneInfo("Europe/Oslo")


async def test_a_formed_group_gets_a_weekly_meeting_at_a_venue_in_its_municipality(settings):
    settings = calendar_settings(settings)
    service = new_service(settings)
    await add_venue(service, "Tromsø bibliotek", TROMSO)
    bodo_venue = await add_venue(service, "Bodø bibliotek", BODO)
    await add_venue(service, "Oslo bibliotek", OSLO_KOMMUNE)
    await add_starter(service, "Randi")
    group = formed_group(members=6, municipalities=[BODO] * 6)
    async with EventTap(settings) as tap, running(service):
        formed = await publish_as(settings, "grouping", group)
        (scheduled,) = await tap.wait_for("meeting.scheduled.v1", group_id=group.group_id)

    data = scheduled["data"]
    assert data["venue_name"] == "Bodø bibliotek" and data["venue_address"] == "Bodø bibliotekgata 1"
    assert data["weekday"] == "tue" and data["start_time"] == "17:00:00" and data["interval_weeks"] == 1
    assert data["starter_name"] == "Randi" and data["starter_meetings"] == 3
    assert data["meeting_url"] is None and data["feed_path"].startswith("/feeds/groups/")
    first = datetime.fromisoformat(data["first_meeting"])
    assert first.astimezone(OSLO).weekday() == 1 and first.astimezone(OSLO).time() == time(17)
    assert first.date() >= (datetime.now(UTC) + timedelta(days=7)).date()
    assert scheduled["correlation_id"] == str(formed.correlation_id)
    assert scheduled["causation_id"] == str(formed.event_id)

    # Bookings for the rolling horizon, the starter for the first three meetings, two reminders each.
    meetings = await count(service, venue_bookings, venue_bookings.c.venue_id == bodo_venue)
    assert 20 <= meetings <= 27
    assert await count(service, starter_bookings) == 3
    assert await count(service, reminders, reminders.c.group_id == group.group_id) == 2 * meetings
    assert await count(service, groups, groups.c.status == "scheduled") == 1


async def test_a_digital_group_gets_a_meeting_link_instead_of_a_venue(settings):
    settings = calendar_settings(
        settings, calendar_meeting_url_template="https://video.example.no/{group_id}"
    )
    service = new_service(settings)
    await add_starter(service, "Ola", district="oslo-ost")
    group = formed_group(members=5, municipalities=[OSLO_KOMMUNE] * 5, digital=True, district="oslo-ost")
    async with EventTap(settings) as tap, running(service):
        await publish_as(settings, "grouping", group)
        (scheduled,) = await tap.wait_for("meeting.scheduled.v1", group_id=group.group_id)
    assert scheduled["data"]["meeting_url"] == f"https://video.example.no/{group.group_id}"
    assert scheduled["data"]["venue_name"] is None
    assert await count(service, venue_bookings) == 0


async def test_when_no_venue_fits_the_group_scheduling_fails_with_the_reason(settings):
    settings = calendar_settings(settings)
    service = new_service(settings)
    await add_venue(service, "Lite møterom", BODO, capacity=4)
    await add_starter(service)
    group = formed_group(members=7)
    async with EventTap(settings) as tap, running(service):
        await publish_as(settings, "grouping", group)
        (failed,) = await tap.wait_for("group.scheduling_failed.v1", group_id=group.group_id)
    assert failed["data"]["district"] == "nord"
    assert failed["data"]["reason"] == "no venue with room for 7 in Bodø or neighbours"
    assert await group_status_and_reason(service, group.group_id) == ("failed", failed["data"]["reason"])
    async with service.sessions() as session:  # and as a code, for the staff page in the reader's language
        code = await session.scalar(select(groups.c.failure_code).where(groups.c.group_id == group.group_id))
    assert code == {"code": failed["data"]["reason_code"], "params": failed["data"]["reason_params"]}
    assert await count(service, venue_bookings) == await count(service, reminders) == 0


async def group_status_and_reason(service, group_id):
    async with service.sessions() as session:
        row = (
            await session.execute(
                select(groups.c.status, groups.c.failure_reason).where(groups.c.group_id == group_id)
            )
        ).one()
    return tuple(row)


async def test_the_exclusion_constraint_refuses_an_overlapping_booking(settings):
    service = new_service(settings)
    venue = await add_venue(service, "Bibliotek")
    group = formed_group()
    async with service.sessions() as session, session.begin():
        await commands.store_formed_group(session, group.envelope(source="grouping"))
    start = datetime(2027, 2, 2, 17, tzinfo=OSLO)

    async def book(begin: datetime, end: datetime) -> None:
        async with service.sessions() as session, session.begin():
            during = func.tstzrange(begin, end, "[)")
            await session.execute(
                insert(venue_bookings).values(venue_id=venue, group_id=group.group_id, during=during)
            )

    await book(start, start + timedelta(hours=2))
    await book(start + timedelta(hours=2), start + timedelta(hours=4))  # back to back is fine
    with pytest.raises(IntegrityError) as refused:
        await book(start + timedelta(hours=1), start + timedelta(hours=3))
    assert sqlstate(refused.value) == EXCLUSION_VIOLATION
    await service.engine.dispose()


async def test_a_scheduler_that_loses_a_race_for_the_venue_is_refused_and_retries_with_fresh_bookings(
    settings,
):
    service = new_service(calendar_settings(settings))
    await add_venue(service, "Bibliotek", hours="tue 17:00-21:00")
    await add_starter(service, "Ola")
    await add_starter(service, "Kari")
    first, second = formed_group(), formed_group()
    async with service.sessions() as session, session.begin():
        for group in (first, second):
            await commands.store_formed_group(session, group.envelope(source="grouping"))
    config, now = service.calendar, datetime.now(UTC)

    # Both schedulers read the bookings before either has committed, so both choose 17:00.
    winner = await service.sessions().start()
    await winner.begin()
    claimed = await claim_next_group(winner)
    won = await schedule_claimed(winner, service.outbox, config, claimed, now)

    async def lose():
        async with service.sessions() as session, session.begin():
            row = await claim_next_group(session)  # SKIP LOCKED: the other group
            await schedule_claimed(session, service.outbox, config, row, now)

    loser = asyncio.create_task(lose())
    await asyncio.sleep(1.0)  # its INSERT now waits on the winner's uncommitted booking
    assert not loser.done()
    await winner.commit()
    await winner.close()
    with pytest.raises(IntegrityError) as refused:
        await loser
    assert sqlstate(refused.value) == EXCLUSION_VIOLATION
    assert won.scheduled

    retried = await service.jobs.schedule_one()
    assert retried is not None and retried.scheduled and retried.group_id != won.group_id
    assert await overlapping_bookings(service, "venue_bookings", "venue_id") == 0
    first_meetings = select(func.min(func.lower(venue_bookings.c.during))).group_by(venue_bookings.c.group_id)
    async with service.sessions() as session:
        starts = (await session.execute(first_meetings)).scalars().all()
    assert sorted(start.astimezone(OSLO).time() for start in starts) == [time(17), time(19)]
    await service.engine.dispose()


@pytest.mark.slow
async def test_two_schedulers_on_one_database_never_double_book_a_venue(settings):
    settings = calendar_settings(settings, calendar_poll_seconds=0.05)
    first_replica, second_replica = new_service(settings), new_service(settings)
    # One venue that fits two meetings a Tuesday evening (17-19, 19-21), and starters enough for both.
    await add_venue(first_replica, "Eneste bibliotek", hours="tue 17:00-21:00")
    await add_starter(first_replica, "Ola")
    await add_starter(first_replica, "Kari")
    formed = [formed_group() for _ in range(6)]
    async with first_replica.sessions() as session, session.begin():
        for group in formed:
            await commands.store_formed_group(session, group.envelope(source="grouping"))

    async with EventTap(settings) as tap:
        await asyncio.gather(first_replica.start(), second_replica.start())
        try:
            statuses = await asyncio.gather(*(wait_until_decided(first_replica, g.group_id) for g in formed))
            await tap.wait_for("group.scheduling_failed.v1", count=4)
            await tap.wait_for("meeting.scheduled.v1", count=2)
        finally:
            await asyncio.gather(first_replica.stop(), second_replica.stop())

    assert sorted(statuses) == ["failed"] * 4 + ["scheduled"] * 2
    assert await overlapping_bookings(first_replica, "venue_bookings", "venue_id") == 0
    assert await overlapping_bookings(first_replica, "starter_bookings", "starter_id") == 0
    assert len(tap.of("meeting.scheduled.v1")) == 2 and len(tap.of("group.scheduling_failed.v1")) == 4
    assert {e["data"]["start_time"] for e in tap.of("meeting.scheduled.v1")} == {"17:00:00", "19:00:00"}
    assert all(
        "is free on Tuesday evenings" in e["data"]["reason"] for e in tap.of("group.scheduling_failed.v1")
    )


async def test_a_group_whose_scheduling_failed_is_scheduled_again_once_staff_add_a_venue(settings):
    settings = calendar_settings(settings)
    service = new_service(settings)
    await add_starter(service)
    group = formed_group()
    async with EventTap(settings) as tap, running(service):
        await publish_as(settings, "grouping", group)
        await tap.wait_for("group.scheduling_failed.v1", group_id=group.group_id)
        await add_venue(service, "Nytt bibliotek")
        async with http_client(service) as client:
            other = await client.post(
                f"/api/v1/staff/groups/{group.group_id}/schedule", headers=staff_headers(settings, "vest")
            )
            assert other.status_code == 404
            again = await client.post(
                f"/api/v1/staff/groups/{group.group_id}/schedule", headers=staff_headers(settings)
            )
            assert again.status_code == 200
        await tap.wait_for("meeting.scheduled.v1", group_id=group.group_id)
    assert await group_status(service, group.group_id) == "scheduled"


async def test_a_rolling_extension_skips_a_clashing_meeting_and_books_the_rest_where_a_strict_one_fails(
    settings,
):
    service = new_service(calendar_settings(settings))
    venue = await add_venue(service, "Bibliotek")
    mine, other = formed_group(), formed_group()
    async with service.sessions() as session, session.begin():
        for group in (mine, other):
            await commands.store_formed_group(session, group.envelope(source="grouping"))
    config, now = service.calendar, datetime(2027, 1, 4, 12, tzinfo=UTC)
    series = MeetingSeries(
        group_id=mine.group_id, weekday=1, start_time=time(18), first_date=date(2027, 1, 5)
    )
    taken = datetime(2027, 1, 19, 18, tzinfo=OSLO).astimezone(UTC)  # the third meeting
    async with service.sessions() as session, session.begin():
        during = func.tstzrange(taken, taken + timedelta(hours=2), "[)")
        await session.execute(
            insert(venue_bookings).values(venue_id=venue, group_id=other.group_id, during=during)
        )

    async def plan(strict: bool) -> None:
        async with service.sessions() as session, session.begin():
            await sync_plan(
                session,
                config,
                mine.group_id,
                [series],
                venue=Booker(venue, strict=strict),
                starter=Booker(None, strict=False),
                now=now,
            )

    async def booked() -> list[datetime]:
        async with service.sessions() as session:
            rows = await session.execute(
                select(func.lower(venue_bookings.c.during))
                .where(venue_bookings.c.group_id == mine.group_id)
                .order_by(func.lower(venue_bookings.c.during))
            )
            return [start.astimezone(UTC) for (start,) in rows.all()]

    with pytest.raises(IntegrityError) as refused:  # scheduling must get every meeting, or nothing
        await plan(strict=True)
    assert sqlstate(refused.value) == EXCLUSION_VIOLATION
    assert await booked() == []

    await plan(strict=False)  # extending the plan keeps the other meetings despite the clash
    wanted = [m.start.astimezone(UTC) for m in meetings_between([series], now, now + config.horizon, config)]
    assert taken in wanted and len(wanted) > 3
    assert await booked() == [start for start in wanted if start != taken]
    await service.engine.dispose()


async def test_two_transactions_booking_one_venue_end_in_a_clash_not_a_deadlock(settings):
    """The shape that deadlocked: the second transaction had booked its first weeks and waited for the
    first one's week 3, while the first, booking for a further group (as a batch of extensions does), went
    on to week 1. Each waited for the other until PostgreSQL broke it off a second later. Now the second
    waits before it books anything and then loses cleanly, as a lost race should."""
    service = new_service(calendar_settings(settings))
    venue = await add_venue(service, "Bibliotek")
    first, second, further = formed_group(), formed_group(), formed_group()
    async with service.sessions() as session, session.begin():
        for group in (first, second, further):
            await commands.store_formed_group(session, group.envelope(source="grouping"))
    config, now = service.calendar, datetime(2027, 1, 4, 12, tzinfo=UTC)

    def tuesdays_at_six(group, first_date: date, ended_on: date | None = None) -> MeetingSeries:
        return MeetingSeries(
            group_id=group.group_id, weekday=1, start_time=time(18), first_date=first_date, ended_on=ended_on
        )

    async def book(session, series: MeetingSeries) -> None:
        await sync_plan(
            session,
            config,
            series.group_id,
            [series],
            venue=Booker(venue, strict=True),
            starter=Booker(None, strict=False),
            now=now,
        )

    async def book_second() -> None:
        async with service.sessions() as session, session.begin():
            await book(session, tuesdays_at_six(second, date(2027, 1, 5)))

    async with service.sessions() as session, session.begin():
        await book(session, tuesdays_at_six(first, date(2027, 1, 19)))  # week 3 on, not committed yet
        racing = asyncio.create_task(book_second())
        await wait_for_a_lock_wait(service)
        await book(session, tuesdays_at_six(further, date(2027, 1, 5), ended_on=date(2027, 1, 5)))

    with pytest.raises(IntegrityError) as lost:
        await racing
    assert sqlstate(lost.value) == EXCLUSION_VIOLATION  # a clash; a deadlock would be 40P01
    assert await count(service, venue_bookings, venue_bookings.c.group_id == second.group_id) == 0
    assert await count(service, venue_bookings, venue_bookings.c.group_id == further.group_id) == 1
    assert await overlapping_bookings(service, "venue_bookings", "venue_id") == 0
    await service.engine.dispose()


async def wait_for_a_lock_wait(service, timeout: float = 10.0) -> None:
    """Until some transaction waits for a lock: the racing one has reached the contested booking."""
    async with asyncio.timeout(timeout):
        while True:
            async with service.engine.connect() as connection:
                waiting = await connection.scalar(text("SELECT count(*) FROM pg_locks WHERE NOT granted"))
            if waiting:
                return
            await asyncio.sleep(0.02)
