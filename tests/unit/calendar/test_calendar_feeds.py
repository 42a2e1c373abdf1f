"""iCalendar feeds parse with icalendar and expand (recurring-ical-events) to exactly our meetings."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from services.calendar.domain import (
    GroupSchedule,
    MeetingSeries,
    TimeRange,
    Venue,
    cancel_occurrence,
    end_series,
    event_uid,
    group_feed,
    move_occurrence,
    occurrences,
    participant_feed,
    switch_frequency,
)

pytestmark = pytest.mark.unit

OSLO = ZoneInfo("Europe/Oslo")
STAMP = datetime(2027, 1, 15, 9, tzinfo=UTC)
GROUP = uuid.UUID("00000000-0000-0000-0000-0000000000f1")
OTHER_GROUP = uuid.UUID("00000000-0000-0000-0000-0000000000f2")
LIBRARY = Venue(
    id="v1",
    name="Bodø bibliotek",
    address="Stormyrveien 1, 8006 Bodø",
    municipality="1804",
    kind="library",
    capacity=10,
    accessible=True,
    opening_hours={1: (TimeRange(time(10), time(21)),)},
)


def weekly(first: date, group: uuid.UUID = GROUP, **fields: object) -> MeetingSeries:
    return MeetingSeries(group, first.weekday(), time(18), first, **fields)  # type: ignore[arg-type]


def parse(feed: bytes) -> Calendar:
    return Calendar.from_ical(feed)


def expanded_starts(feed: bytes, start: date, end: date) -> list[datetime]:
    events = recurring_ical_events.of(parse(feed)).between(start, end)
    return sorted(event.start for event in events)


def our_starts(series: list[MeetingSeries], start: date, end: date) -> list[datetime]:
    return sorted(occurrence.start for one in series for occurrence in occurrences(one, start, end))


def test_feed_has_the_calendar_properties_and_a_timezone() -> None:
    calendar = parse(group_feed(weekly(date(2027, 2, 2)), venue=LIBRARY, stamp=STAMP))
    assert calendar["PRODID"] and calendar["VERSION"] == "2.0"
    assert calendar["CALSCALE"] == "GREGORIAN" and calendar["METHOD"] == "PUBLISH"
    assert calendar["X-WR-CALNAME"] == "Selvhjelpsgruppe"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Oslo"]
    (event,) = calendar.walk("VEVENT")
    assert event["UID"] == f"group-{GROUP}@selvhjelp.example.no"
    assert event["DTSTART"].params["TZID"] == "Europe/Oslo"
    assert event.start == datetime(2027, 2, 2, 18, tzinfo=OSLO)
    assert event.duration == timedelta(hours=2)
    rule = event["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["INTERVAL"] == [1] and "UNTIL" not in rule
    assert event["SEQUENCE"] == 0
    assert event["LOCATION"] == "Bodø bibliotek, Stormyrveien 1, 8006 Bodø"
    assert event["CLASS"] == "PRIVATE"


def test_holidays_become_exdates_and_expansion_matches_across_dst() -> None:
    series = weekly(date(2027, 3, 1), interval_weeks=1)  # Mondays: Easter Monday, 17 May/Whit Monday
    calendar = parse(group_feed(series, stamp=STAMP))
    (event,) = calendar.walk("VEVENT")
    exdates = {moment.date() for moment in event.exdates}
    assert {date(2027, 3, 29), date(2027, 5, 17)} <= exdates
    feed = group_feed(series, stamp=STAMP)
    found = expanded_starts(feed, date(2027, 3, 1), date(2027, 11, 30))
    assert found == our_starts([series], date(2027, 3, 1), date(2027, 11, 30))
    assert {start.astimezone(OSLO).time() for start in found} == {time(18)}
    assert datetime(2027, 3, 29, 18, tzinfo=OSLO) not in found


def test_cancelled_meeting_is_an_exdate() -> None:
    series = cancel_occurrence(weekly(date(2027, 2, 2)), date(2027, 2, 16))
    found = expanded_starts(group_feed(series, stamp=STAMP), date(2027, 2, 1), date(2027, 3, 1))
    assert found == [datetime(2027, 2, day, 18, tzinfo=OSLO) for day in (2, 9, 23)]


def test_moved_meeting_is_a_recurrence_id_event() -> None:
    series = move_occurrence(weekly(date(2027, 2, 2)), date(2027, 2, 9), datetime(2027, 2, 11, 17))
    feed = group_feed(series, stamp=STAMP)
    events = parse(feed).walk("VEVENT")
    assert len(events) == 2 and len({event["UID"] for event in events}) == 1
    override = next(event for event in events if "RECURRENCE-ID" in event)
    assert override["RECURRENCE-ID"].dt == datetime(2027, 2, 9, 18, tzinfo=OSLO)
    assert all(event["SEQUENCE"] == 1 for event in events)
    assert expanded_starts(feed, date(2027, 2, 1), date(2027, 2, 20)) == [
        datetime(2027, 2, 2, 18, tzinfo=OSLO),
        datetime(2027, 2, 11, 17, tzinfo=OSLO),
        datetime(2027, 2, 16, 18, tzinfo=OSLO),
    ]


def test_frequency_switch_is_an_ended_series_and_a_new_one() -> None:
    segments = list(switch_frequency(weekly(date(2027, 2, 2)), date(2027, 3, 1), interval_weeks=2))
    feed = group_feed(segments, stamp=STAMP)
    old, new = parse(feed).walk("VEVENT")
    assert old["UID"] == f"group-{GROUP}@selvhjelp.example.no" and old["SEQUENCE"] == 1
    assert old["RRULE"]["UNTIL"] == [datetime(2027, 2, 28, 17, tzinfo=UTC)]  # 18:00 Oslo, in UTC
    assert new["UID"] == f"group-{GROUP}-1@selvhjelp.example.no" and new["RRULE"]["INTERVAL"] == [2]
    assert expanded_starts(feed, date(2027, 2, 1), date(2027, 4, 15)) == [
        datetime(2027, 2, day, 18, tzinfo=OSLO) for day in (2, 9, 16, 23)
    ] + [datetime(2027, 3, 2, 18, tzinfo=OSLO), datetime(2027, 3, 16, 18, tzinfo=OSLO)] + [
        datetime(2027, 3, 30, 18, tzinfo=OSLO),
        datetime(2027, 4, 13, 18, tzinfo=OSLO),
    ]


def test_ended_series_stops() -> None:
    series = end_series(weekly(date(2027, 2, 2)), date(2027, 2, 16))
    assert expanded_starts(group_feed(series, stamp=STAMP), date(2027, 1, 1), date(2028, 1, 1))[
        -1
    ] == datetime(2027, 2, 16, 18, tzinfo=OSLO)


def test_uid_is_stable_and_sequence_grows_with_changes() -> None:
    series = weekly(date(2027, 2, 2))
    changed = cancel_occurrence(series, date(2027, 2, 9))
    before, after = (parse(group_feed(s, stamp=STAMP)).walk("VEVENT")[0] for s in (series, changed))
    assert before["UID"] == after["UID"] == event_uid(series)
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1
    assert parse(group_feed(series, sequence=7, stamp=STAMP)).walk("VEVENT")[0]["SEQUENCE"] == 7


def test_titles_never_name_the_topic() -> None:
    for event in parse(group_feed(weekly(date(2027, 2, 2)), stamp=STAMP)).walk("VEVENT"):
        assert event["SUMMARY"] == "Selvhjelpsgruppe"
    for title in ("Sorggruppe Bodø", "Anxiety group", "Pårørende til rusavhengige"):
        with pytest.raises(ValueError, match="topic"):
            group_feed(weekly(date(2027, 2, 2)), group_title=title, stamp=STAMP)
    assert b"Self-help group" in group_feed(
        weekly(date(2027, 2, 2)), group_title="Self-help group", stamp=STAMP
    )


def test_digital_group_gets_its_url() -> None:
    url = f"https://meet.example.no/selvhjelp-{GROUP}"
    (event,) = parse(group_feed(weekly(date(2027, 2, 2)), url=url, stamp=STAMP)).walk("VEVENT")
    assert event["URL"] == url and event["LOCATION"] == url


def test_participant_feed_holds_every_group() -> None:
    first, second = weekly(date(2027, 2, 2)), weekly(date(2027, 2, 4), OTHER_GROUP, interval_weeks=2)
    feed = participant_feed(
        [GroupSchedule((first,), venue=LIBRARY), GroupSchedule((second,), meeting_url="https://x")],
        stamp=STAMP,
    )
    assert {event["UID"] for event in parse(feed).walk("VEVENT")} == {event_uid(first), event_uid(second)}
    window = (date(2027, 2, 1), date(2027, 6, 1))
    assert expanded_starts(feed, *window) == our_starts([first, second], *window)


def test_same_input_same_bytes() -> None:
    series = weekly(date(2027, 2, 2))
    assert group_feed(series, stamp=STAMP) == group_feed(series, stamp=STAMP)


@settings(max_examples=40, deadline=None)
@given(
    first=st.dates(date(2026, 6, 1), date(2028, 6, 1)),
    interval=st.sampled_from([1, 2]),
    cancel_at=st.integers(0, 30),
    move_at=st.integers(0, 30),
    move_by=st.integers(-2, 3),
    switch_at=st.one_of(st.none(), st.integers(1, 40)),
)
def test_feed_expands_to_exactly_our_meetings(
    first: date, interval: int, cancel_at: int, move_at: int, move_by: int, switch_at: int | None
) -> None:
    series = weekly(first, interval_weeks=interval)
    pattern_day = lambda k: first + timedelta(weeks=interval * k)  # noqa: E731
    series = cancel_occurrence(series, pattern_day(cancel_at))
    if move_at != cancel_at:
        moved_to = datetime.combine(pattern_day(move_at) + timedelta(days=move_by), time(17, 30))
        series = move_occurrence(series, pattern_day(move_at), moved_to)
    segments = (
        [series]
        if switch_at is None
        else list(switch_frequency(series, pattern_day(switch_at), 3 - interval))
    )
    stamp = datetime.combine(first, time(9), tzinfo=UTC)
    window = (first - timedelta(days=7), first + timedelta(days=400))
    assert expanded_starts(group_feed(segments, stamp=stamp), *window) == our_starts(segments, *window)
