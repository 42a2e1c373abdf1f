"""Staff change a group's meetings over HTTP; the feeds fetched over HTTP show exactly the new meetings
(parsed with icalendar, expanded with recurring-ical-events), and events and reminders follow."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
import recurring_ical_events
from calendar_harness import (
    EventTap,
    add_starter,
    add_venue,
    calendar_settings,
    formed_group,
    http_client,
    new_service,
    publish_as,
    staff_headers,
)
from icalendar import Calendar
from sqlalchemy import func, select

from services.calendar.breaks import group_breaks
from services.calendar.models import reminders, venue_bookings
from shared.auth import sign_link
from shared.keys import Keyring
from tests.support import running

pytestmark = pytest.mark.integration

OSLO = ZoneInfo("Europe/Oslo")
NORWAY = holidays.country_holidays("NO", years=range(date.today().year, date.today().year + 3))


def at_five(day: date) -> datetime:
    return datetime.combine(day, time(17), tzinfo=OSLO)


def expanded(feed: bytes, start: date, end: date) -> list[datetime]:
    events = recurring_ical_events.of(Calendar.from_ical(feed)).between(start, end)
    return sorted(event.start for event in events)


async def _future_reminders(service, group_id) -> set[tuple[datetime, str]]:
    async with service.sessions() as session:
        rows = await session.execute(
            select(reminders.c.meeting_start, reminders.c.kind).where(
                reminders.c.group_id == group_id, reminders.c.state == "pending"
            )
        )
        return {(start.astimezone(OSLO), kind) for start, kind in rows.all()}


async def _booked_starts(service, group_id) -> set[datetime]:
    async with service.sessions() as session:
        rows = await session.execute(
            select(func.lower(venue_bookings.c.during)).where(venue_bookings.c.group_id == group_id)
        )
        return {start.astimezone(OSLO) for start in rows.scalars()}


async def test_frequency_switch_move_and_cancel_show_in_the_feeds_events_and_reminders(settings):
    settings = calendar_settings(settings)
    service = new_service(settings)
    await add_venue(service, "Bibliotek", hours="tue-thu 16:00-22:00")
    await add_starter(service)
    group = formed_group(members=5)
    staff = staff_headers(settings, "nord")
    async with EventTap(settings) as tap, running(service), http_client(service) as client:
        await publish_as(settings, "grouping", group)
        (scheduled,) = await tap.wait_for("meeting.scheduled.v1", group_id=group.group_id)
        first = datetime.fromisoformat(scheduled["data"]["first_meeting"]).date()
        feed_path = scheduled["data"]["feed_path"]
        groups_api = f"/api/v1/staff/groups/{group.group_id}"
        # The group meets neither on public holidays nor in its county's school breaks (issue 21).
        async with service.sessions() as session:
            breaks = await group_breaks(session, service.calendar, group.group_id)

        def skipped(day: date) -> bool:
            return day in NORWAY or any(day in period for period in breaks)

        # Every other week from the third Tuesday on.
        switch_on = first + timedelta(weeks=2)
        response = await client.post(
            f"{groups_api}/frequency",
            json={"from_date": switch_on.isoformat(), "interval_weeks": 2},
            headers=staff,
        )
        assert response.status_code == 200, response.text
        assert [s["interval_weeks"] for s in response.json()["segments"]] == [1, 2]

        fortnightly = [switch_on + timedelta(weeks=2 * k) for k in range(8)]
        to_move = next(day for day in fortnightly[1:] if not skipped(day))
        moved_to = datetime.combine(to_move + timedelta(days=2), time(18, 30), tzinfo=OSLO)
        response = await client.post(
            f"{groups_api}/meetings/{to_move.isoformat()}/move",
            json={"new_start": moved_to.replace(tzinfo=None).isoformat()},
            headers=staff,
        )
        assert response.status_code == 200, response.text

        to_cancel = next(day for day in fortnightly if day > to_move and not skipped(day))
        response = await client.post(f"{groups_api}/meetings/{to_cancel.isoformat()}/cancel", headers=staff)
        assert response.status_code == 200, response.text

        feed = await client.get(feed_path)
        assert feed.status_code == 200 and feed.headers["content-type"].startswith("text/calendar")
        member_token = sign_link(settings.keyring(), "participant-feed", group.members[0])
        mine = await client.get(f"/feeds/participants/{member_token}.ics")
        assert mine.status_code == 200
        changed = await tap.wait_for("meeting.changed.v1", count=2, group_id=group.group_id)
        (cancelled,) = await tap.wait_for("meeting.cancelled.v1", group_id=group.group_id)
        pending = await _future_reminders(service, group.group_id)
        booked = await _booked_starts(service, group.group_id)

    window = (first, first + timedelta(weeks=16))
    regular = [first, first + timedelta(weeks=1)] + [d for d in fortnightly if d not in (to_move, to_cancel)]
    expected = sorted([at_five(day) for day in regular if not skipped(day) and day < window[1]] + [moved_to])
    assert expanded(feed.content, *window) == expected
    assert expanded(mine.content, *window) == expected

    calendar = Calendar.from_ical(feed.content)
    events = calendar.walk("VEVENT")
    override = [event for event in events if "RECURRENCE-ID" in event]
    assert len(override) == 1 and override[0]["RECURRENCE-ID"].dt == at_five(to_move)
    assert {event["SEQUENCE"] for event in events if "RECURRENCE-ID" not in event} == {1, 2}
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]
    assert all(event["SUMMARY"] == "Selvhjelpsgruppe" for event in events)

    switched, moved = changed
    assert switched["data"]["interval_weeks"] == 2 and switched["data"]["occurrence"] is None
    assert datetime.fromisoformat(switched["data"]["new_start"]) == next(
        at_five(day) for day in fortnightly if not skipped(day)
    )
    assert datetime.fromisoformat(moved["data"]["occurrence"]) == at_five(to_move)
    assert datetime.fromisoformat(moved["data"]["new_start"]) == moved_to
    assert datetime.fromisoformat(cancelled["data"]["occurrence"]) == at_five(to_cancel)
    assert datetime.fromisoformat(cancelled["data"]["next_meeting"]) > at_five(to_cancel)

    # Reminders and bookings followed: the moved meeting's are at its new time, the cancelled one's gone.
    assert {(moved_to, "24h"), (moved_to, "2h")} <= pending
    assert not {start for start, _ in pending} & {at_five(to_move), at_five(to_cancel)}
    assert moved_to in booked and at_five(to_cancel) not in booked and at_five(to_move) not in booked
    assert at_five(first + timedelta(weeks=3)) not in booked  # the weekly Tuesday now skipped


async def test_changes_are_for_signed_in_staff_of_the_groups_district_and_must_make_sense(settings):
    settings = calendar_settings(settings)
    service = new_service(settings)
    await add_venue(service, "Bibliotek")
    await add_starter(service)
    group = formed_group()
    async with EventTap(settings) as tap, running(service), http_client(service) as client:
        await publish_as(settings, "grouping", group)
        (scheduled,) = await tap.wait_for("meeting.scheduled.v1", group_id=group.group_id)
        first = datetime.fromisoformat(scheduled["data"]["first_meeting"]).date()
        url = f"/api/v1/staff/groups/{group.group_id}"
        body = {"from_date": first.isoformat(), "interval_weeks": 2}

        assert (await client.post(f"{url}/frequency", json=body)).status_code == 401
        other = staff_headers(settings, "oslo-ost")
        assert (await client.post(f"{url}/frequency", json=body, headers=other)).status_code == 404
        assert (await client.get(url, headers=other)).status_code == 404
        staff = staff_headers(settings, "nord")
        past = {"from_date": (date.today() - timedelta(days=1)).isoformat(), "interval_weeks": 2}
        assert (await client.post(f"{url}/frequency", json=past, headers=staff)).status_code == 422
        not_a_meeting_day = (first + timedelta(days=1)).isoformat()
        refused = await client.post(f"{url}/meetings/{not_a_meeting_day}/cancel", headers=staff)
        assert refused.status_code == 422 and "not a meeting day" in refused.json()["detail"][0]["msg"]
        # The venue is open on Tuesdays only: moving a meeting to a Friday is refused.
        friday = datetime.combine(first + timedelta(days=3), time(18)).isoformat()
        closed = await client.post(
            f"{url}/meetings/{first.isoformat()}/move", json={"new_start": friday}, headers=staff
        )
        assert closed.status_code == 409 and "not open" in closed.json()["detail"]
        assert (await client.get("/feeds/groups/not-a-token.ics")).status_code == 404
        forged = sign_link(Keyring.single("another-key"), "group-feed", group.group_id)
        assert (await client.get(f"/feeds/groups/{forged}.ics")).status_code == 404
        schedule = await client.get(url, headers=staff)
        assert schedule.status_code == 200
        assert [s["sequence"] for s in schedule.json()["segments"]] == [0]  # nothing was changed
    assert tap.of("meeting.changed.v1") == [] and tap.of("meeting.cancelled.v1") == []


async def test_a_move_onto_another_groups_booking_is_refused_by_the_database(settings):
    settings = calendar_settings(settings)
    service = new_service(settings)
    await add_venue(service, "Bibliotek", hours="tue 16:00-22:00")
    await add_starter(service, "Ola")
    await add_starter(service, "Kari")
    early, late = formed_group(), formed_group()
    async with EventTap(settings) as tap, running(service), http_client(service) as client:
        await publish_as(settings, "grouping", early)
        (first,) = await tap.wait_for("meeting.scheduled.v1", group_id=early.group_id)
        await publish_as(settings, "grouping", late)
        (second,) = await tap.wait_for("meeting.scheduled.v1", group_id=late.group_id)
        assert (first["data"]["start_time"], second["data"]["start_time"]) == ("17:00:00", "19:00:00")
        day = datetime.fromisoformat(second["data"]["first_meeting"]).date()
        onto_early = datetime.combine(day, time(18)).isoformat()
        clash = await client.post(
            f"/api/v1/staff/groups/{late.group_id}/meetings/{day.isoformat()}/move",
            json={"new_start": onto_early},
            headers=staff_headers(settings),
        )
    assert clash.status_code == 409 and "booked by another group" in clash.json()["detail"]


async def test_a_pause_and_an_end_say_from_when_so_members_are_not_told_of_a_new_time(settings):
    # notifications builds the members' message from the event alone: a pause or an end without its date
    # used to be announced as "a new regular time" from a meeting that would not take place.
    settings = calendar_settings(settings)
    service = new_service(settings)
    await add_venue(service, "Bibliotek", hours="tue-thu 16:00-22:00")
    await add_starter(service)
    group = formed_group(members=5)
    staff = staff_headers(settings, "nord")
    async with EventTap(settings) as tap, running(service), http_client(service) as client:
        await publish_as(settings, "grouping", group)
        (scheduled,) = await tap.wait_for("meeting.scheduled.v1", group_id=group.group_id)
        first = datetime.fromisoformat(scheduled["data"]["first_meeting"]).date()
        groups_api = f"/api/v1/staff/groups/{group.group_id}"
        pause_on, resume_on = first + timedelta(weeks=2), first + timedelta(weeks=6)
        end_on = first + timedelta(weeks=10)
        for path, body in (
            ("pause", {"from_date": pause_on.isoformat()}),
            ("resume", {"from_date": resume_on.isoformat()}),
            ("end", {"on_date": end_on.isoformat()}),
        ):
            response = await client.post(f"{groups_api}/{path}", json=body, headers=staff)
            assert response.status_code == 200, response.text
        paused, resumed, ended = await tap.wait_for("meeting.changed.v1", count=3, group_id=group.group_id)

    assert paused["data"]["paused_from"] == pause_on.isoformat() and paused["data"]["new_start"] is None
    assert resumed["data"]["paused_from"] is None and resumed["data"]["new_start"] is not None
    assert datetime.fromisoformat(resumed["data"]["new_start"]).date() >= resume_on
    assert ended["data"]["last_day"] == end_on.isoformat() and ended["data"]["new_start"] is None
