"""Reminders live in PostgreSQL: each goes out exactly once, also across a restart of the service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from calendar_harness import (
    EventTap,
    add_starter,
    add_venue,
    calendar_settings,
    count,
    formed_group,
    new_service,
    overlapping_bookings,
    publish_as,
    settle,
)
from sqlalchemy import delete, func, select, update

from services.calendar.models import groups, reminders, venue_bookings
from tests.support import eventually, running

pytestmark = pytest.mark.integration


async def _reminder_ids(service, group_id, limit: int) -> list[int]:
    """The next `limit` pending reminders (earliest meetings first)."""
    async with service.sessions() as session:
        rows = await session.execute(
            select(reminders.c.id)
            .where(reminders.c.group_id == group_id, reminders.c.state == "pending")
            .order_by(reminders.c.meeting_start, reminders.c.kind)
            .limit(limit)
        )
        return list(rows.scalars())


async def _make_due(service, ids: list[int]) -> None:
    """The clock reaches these reminders' due time (their meetings are still ahead)."""
    async with service.sessions() as session, session.begin():
        await session.execute(update(reminders).where(reminders.c.id.in_(ids)).values(due_at=func.now()))


async def _states(service, ids: list[int]) -> list[str]:
    async with service.sessions() as session:
        rows = await session.execute(select(reminders.c.state).where(reminders.c.id.in_(ids)))
        return sorted(rows.scalars())


async def test_due_reminders_go_out_once_each_and_a_restart_neither_loses_nor_repeats_one(settings):
    settings = calendar_settings(settings)
    service = new_service(settings)
    await add_venue(service, "Bibliotek")
    await add_starter(service)
    group = formed_group(members=5)
    async with EventTap(settings) as tap:
        async with running(service):
            await publish_as(settings, "grouping", group)
            await tap.wait_for("meeting.scheduled.v1", group_id=group.group_id)
            before_stop = await _reminder_ids(service, group.group_id, 2)
            await _make_due(service, before_stop)
            await tap.wait_for("reminder.due.v1", count=2)
        # Down: two more reminders fall due while nothing runs.
        during_stop = await _reminder_ids(service, group.group_id, 2)
        await _make_due(service, during_stop)

        restarted = new_service(settings)
        async with running(restarted):
            await tap.wait_for("reminder.due.v1", count=4)
            await settle(1.5)  # several polls: nothing else is due, nothing is sent again

    sent = tap.of("reminder.due.v1")
    assert len(sent) == 4
    assert len({(e["data"]["meeting_start"], e["data"]["kind"]) for e in sent}) == 4
    assert {e["data"]["kind"] for e in sent} == {"24h", "2h"}
    assert all(e["data"]["members"] == sorted(str(m) for m in group.members) for e in sent)
    assert len({e["event_id"] for e in sent}) == 4
    assert await _states(restarted, before_stop + during_stop) == ["sent"] * 4
    async with restarted.sessions() as session:
        pending_overdue = await session.scalar(
            select(func.count()).where(reminders.c.state == "pending", reminders.c.due_at <= func.now())
        )
    assert pending_overdue == 0


async def test_a_reminder_found_due_after_its_meeting_began_is_skipped_not_sent(settings):
    settings = calendar_settings(settings)
    service = new_service(settings)
    await add_venue(service, "Bibliotek")
    await add_starter(service)
    group = formed_group()
    async with EventTap(settings) as tap, running(service):
        await publish_as(settings, "grouping", group)
        await tap.wait_for("meeting.scheduled.v1", group_id=group.group_id)
        (late,) = await _reminder_ids(service, group.group_id, 1)
        async with service.sessions() as session, session.begin():
            # The service was down past the meeting: a reminder now would arrive after it began.
            await session.execute(
                update(reminders)
                .where(reminders.c.id == late)
                .values(due_at=func.now() - func.make_interval(0, 0, 0, 2), meeting_start=func.now())
            )
        await eventually(lambda: _is(service, late, "skipped"), timeout=10)
        await settle(0.5)
    assert tap.of("reminder.due.v1") == []


async def _is(service, reminder_id: int, state: str) -> bool:
    return await _states(service, [reminder_id]) == [state]


async def test_as_time_goes_by_bookings_and_reminders_are_extended_to_the_horizon(settings):
    settings = calendar_settings(settings)
    service = new_service(settings)
    await add_venue(service, "Bibliotek")
    await add_starter(service)
    group = formed_group()
    async with EventTap(settings) as tap, running(service):
        await publish_as(settings, "grouping", group)
        await tap.wait_for("meeting.scheduled.v1", group_id=group.group_id)
        full = (await count(service, venue_bookings), await count(service, reminders))
        # As if the plan had been made eight weeks ago: the far end of the horizon is not planned yet.
        cut = func.now() + timedelta(weeks=8)
        async with service.sessions() as session, session.begin():
            await session.execute(delete(venue_bookings).where(func.lower(venue_bookings.c.during) > cut))
            await session.execute(delete(reminders).where(reminders.c.meeting_start > cut))
            await session.execute(update(groups).values(planned_until=cut))
        assert await count(service, venue_bookings) < full[0]
        service.jobs.wake()

        async def restored():
            return (await count(service, venue_bookings), await count(service, reminders)) == full

        await eventually(restored, timeout=15)
    assert await overlapping_bookings(service, "venue_bookings", "venue_id") == 0
