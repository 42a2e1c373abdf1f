"""The calendar follows the group's life: absences (quorum check), members leaving and joining, the group
ending, and a person's erasure."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from calendar_harness import (
    EventTap,
    absence,
    add_starter,
    add_venue,
    calendar_settings,
    count,
    formed_group,
    group_status,
    new_service,
    publish_as,
    settle,
)
from sqlalchemy import Text, func, select

from services.calendar.models import (
    absences,
    memberships,
    reminders,
    series,
    starter_bookings,
    venue_bookings,
)
from shared.contracts import (
    GroupDissolved,
    GroupMemberJoined,
    GroupMemberLeft,
    GroupStarted,
    ParticipantErased,
)
from tests.support import eventually, running

pytestmark = pytest.mark.integration


async def _scheduled_group(settings, service, tap, members: int):
    await add_venue(service, "Bibliotek")
    await add_starter(service)
    group = formed_group(members=members)
    await publish_as(settings, "grouping", group)
    (scheduled,) = await tap.wait_for("meeting.scheduled.v1", group_id=group.group_id)
    return group, datetime.fromisoformat(scheduled["data"]["first_meeting"])


async def test_a_meeting_too_few_can_attend_is_flagged_at_risk_once(settings):
    settings = calendar_settings(settings)  # threshold 3 by default
    service = new_service(settings)
    async with EventTap(settings) as tap, running(service):
        group, meeting = await _scheduled_group(settings, service, tap, members=5)
        first, second, third = group.members[:3]
        await publish_as(settings, "notifications", absence(group.group_id, first, meeting))
        await publish_as(settings, "notifications", absence(group.group_id, second, meeting))
        await eventually(lambda: _absent(service, group.group_id, 2))
        await settle(0.5)
        assert tap.of("meeting.at_risk.v1") == []  # 3 of 5 can still come

        await publish_as(settings, "notifications", absence(group.group_id, third, meeting))
        (at_risk,) = await tap.wait_for("meeting.at_risk.v1", group_id=group.group_id)
        # A repeated report and a further absence do not flag the same meeting again.
        await publish_as(settings, "notifications", absence(group.group_id, third, meeting))
        await publish_as(settings, "notifications", absence(group.group_id, group.members[3], meeting))
        await eventually(lambda: _absent(service, group.group_id, 4))
        await settle(1.0)

    assert len(tap.of("meeting.at_risk.v1")) == 1
    assert at_risk["data"]["absent"] == 3 and at_risk["data"]["expected"] == 2
    assert datetime.fromisoformat(at_risk["data"]["meeting_start"]) == meeting


async def _absent(service, group_id: uuid.UUID, expected: int) -> bool:
    return await count(service, absences, absences.c.group_id == group_id) == expected


async def test_members_leaving_and_joining_change_who_is_reminded_and_an_ended_group_frees_its_venue(
    settings,
):
    settings = calendar_settings(settings)
    service = new_service(settings)
    async with EventTap(settings) as tap, running(service):
        group, _ = await _scheduled_group(settings, service, tap, members=6)
        leaver, newcomer = group.members[0], uuid.uuid4()
        await publish_as(settings, "grouping", GroupStarted(group_id=group.group_id, members=group.members))
        await publish_as(
            settings, "grouping", GroupMemberLeft(group_id=group.group_id, participant_id=leaver)
        )
        await publish_as(
            settings, "grouping", GroupMemberJoined(group_id=group.group_id, participant_id=newcomer)
        )
        expected = sorted([*group.members[1:], newcomer])
        await eventually(lambda: _members_are(service, group.group_id, expected))
        assert await count(service, venue_bookings) > 0 and await count(service, starter_bookings) == 3

        await publish_as(settings, "grouping", GroupDissolved(group_id=group.group_id, reason="too_few"))
        await eventually(lambda: _status_is(service, group.group_id, "ended"))

    assert await count(service, venue_bookings) == 0
    assert await count(service, starter_bookings) == 0
    assert await count(service, reminders, reminders.c.state == "pending") == 0
    async with service.sessions() as session:
        ended_on = await session.scalar(select(series.c.ended_on).where(series.c.group_id == group.group_id))
    assert ended_on is not None


async def _members_are(service, group_id, expected) -> bool:
    async with service.sessions() as session:
        rows = await session.execute(
            select(memberships.c.participant_id)
            .where(memberships.c.group_id == group_id)
            .order_by(memberships.c.participant_id)
        )
        return list(rows.scalars()) == expected


async def _status_is(service, group_id, status) -> bool:
    return await group_status(service, group_id) == status


async def test_erasure_removes_the_persons_calendar_rows_and_reports_what_it_deleted(settings):
    settings = calendar_settings(settings)
    service = new_service(settings)
    async with EventTap(settings) as tap, running(service):
        group, meeting = await _scheduled_group(settings, service, tap, members=5)
        person, other = group.members[0], group.members[1]
        await publish_as(settings, "notifications", absence(group.group_id, person, meeting))
        await publish_as(settings, "notifications", absence(group.group_id, other, meeting))
        await eventually(lambda: _absent(service, group.group_id, 2))

        erased = await publish_as(settings, "registration", ParticipantErased(participant_id=person))
        (report,) = await tap.wait_for("participant.data_deleted.v1")

    assert report["data"] == {"participant_id": str(person), "service": "calendar", "rows_deleted": 2}
    assert report["causation_id"] == str(erased.event_id)
    assert await count(service, memberships, memberships.c.participant_id == person) == 0
    assert await count(service, absences, absences.c.participant_id == person) == 0
    assert await count(service, memberships, memberships.c.group_id == group.group_id) == 4
    assert await count(service, absences, absences.c.participant_id == other) == 1
    outbox = service.outbox.table
    async with service.sessions() as session:
        mentions = await session.scalar(
            select(func.count())
            .select_from(outbox)
            .where(outbox.c.event_type != "participant.data_deleted.v1")
            .where(outbox.c.payload.cast(Text).contains(str(person)))
        )
    assert mentions == 0
