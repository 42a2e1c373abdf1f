"""Meeting series: wall-clock times across DST, Norwegian holidays, breaks, and changes to a series."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.calendar.domain import (
    CalendarRules,
    DateRange,
    MeetingSeries,
    cancel_occurrence,
    candidate_start_times,
    closure_reason,
    end_series,
    first_meeting_date,
    first_occurrences,
    move_occurrence,
    move_weekly_time,
    occurrences,
    pause,
    public_holiday,
    resume,
    slot_times,
    switch_frequency,
)

pytestmark = pytest.mark.unit

OSLO = ZoneInfo("Europe/Oslo")
GROUP = uuid.UUID("00000000-0000-0000-0000-00000000000a")
MON, TUE, THU, FRI = 0, 1, 3, 4


def weekly(first: date, at: time = time(18), **fields: object) -> MeetingSeries:
    return MeetingSeries(GROUP, first.weekday(), at, first, **fields)  # type: ignore[arg-type]


def days(found: list) -> list[date]:
    return [occurrence.start.date() for occurrence in found]


# --- slots ---------------------------------------------------------------------------------------
def test_slot_maps_to_weekday_and_window() -> None:
    slot = slot_times("tue_evening")
    assert (slot.weekday, slot.window.earliest_start, slot.window.latest_start) == (TUE, time(17), time(19))
    assert slot.describe() == "Tuesday evenings"
    assert slot_times("sat_daytime").window.earliest_start == time(10)
    assert candidate_start_times("tue_evening") == (time(17), time(17, 30), time(18), time(18, 30), time(19))


def test_unknown_slot_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown slot"):
        slot_times("tuesday_night")


# --- DST -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("before", "after"),
    [(date(2027, 3, 23), date(2027, 3, 30)), (date(2027, 10, 26), date(2027, 11, 2))],
    ids=["spring-forward-2027-03-28", "fall-back-2027-10-31"],
)
def test_meetings_stay_at_18_local_across_dst_changes(before: date, after: date) -> None:
    series = weekly(before)
    found = occurrences(series, before, after + timedelta(days=1))
    assert days(found) == [before, after]
    assert [occurrence.start.timetz().replace(tzinfo=None) for occurrence in found] == [time(18), time(18)]
    # The same wall-clock time is a different UTC instant on either side of the change.
    assert found[0].start.utcoffset() != found[1].start.utcoffset()
    assert all(occurrence.end - occurrence.start == timedelta(hours=2) for occurrence in found)


# --- holidays and breaks -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "weekday"),
    [
        (date(2027, 3, 29), MON),  # Easter Monday
        (date(2027, 5, 17), MON),  # Constitution Day and Whit Monday
        (date(2027, 5, 6), THU),  # Ascension Day
        (date(2027, 3, 25), THU),  # Maundy Thursday
        (date(2027, 3, 26), FRI),  # Good Friday
        (date(2026, 12, 25), FRI),  # Christmas Day
        (date(2027, 1, 1), FRI),  # New Year's Day
    ],
)
def test_known_norwegian_holidays_are_skipped(day: date, weekday: int) -> None:
    assert day.weekday() == weekday
    assert public_holiday(day) is not None
    series = weekly(day - timedelta(weeks=2))
    found = days(occurrences(series, day - timedelta(weeks=2), day + timedelta(weeks=2)))
    assert day not in found
    assert day - timedelta(weeks=2) in found  # the weeks around it still meet


def test_ordinary_days_are_not_holidays() -> None:
    assert public_holiday(date(2027, 3, 22)) is None
    assert closure_reason(date(2027, 5, 18)) is None
    assert closure_reason(date(2027, 5, 17)) is not None


def test_regional_breaks_are_skipped() -> None:
    summer = DateRange(date(2027, 7, 1), date(2027, 8, 8), "summer")
    series = weekly(date(2027, 6, 22), breaks=(summer,))
    assert days(occurrences(series, date(2027, 6, 1), date(2027, 8, 20))) == [
        date(2027, 6, 22),
        date(2027, 6, 29),
        date(2027, 8, 10),
        date(2027, 8, 17),
    ]
    assert closure_reason(date(2027, 7, 6), (summer,)) == "break (summer)"


def test_rules_hold_breaks_per_region() -> None:
    christmas = DateRange(date(2027, 12, 20), date(2028, 1, 2), "christmas")
    rules = CalendarRules(breaks_by_region={"nord": (christmas,)})
    assert rules.breaks_for("nord") == (christmas,)
    assert rules.breaks_for("midt") == ()


# --- first meeting -------------------------------------------------------------------------------
def test_first_meeting_respects_the_notice_period() -> None:
    today = date(2027, 2, 1)  # a Monday
    assert first_meeting_date(TUE, today) == date(2027, 2, 9)
    assert first_meeting_date(MON, today) == date(2027, 2, 8)  # exactly 7 days is enough
    assert first_meeting_date(MON, today, notice_days=14) == date(2027, 2, 15)


def test_first_meeting_is_never_on_a_holiday() -> None:
    # Seven days after 2027-03-22 is Easter Monday; the group starts a week later.
    assert first_meeting_date(MON, date(2027, 3, 22)) == date(2027, 4, 5)


def test_first_occurrences_count_only_real_meetings() -> None:
    series = weekly(date(2027, 3, 22))  # Mondays: Easter Monday 29 March is skipped
    assert days(first_occurrences(series, 3)) == [date(2027, 3, 22), date(2027, 4, 5), date(2027, 4, 12)]


def test_every_other_week() -> None:
    series = weekly(date(2027, 2, 2), interval_weeks=2)
    assert days(occurrences(series, date(2027, 2, 1), date(2027, 3, 10))) == [
        date(2027, 2, 2),
        date(2027, 2, 16),
        date(2027, 3, 2),
    ]


def test_series_refuses_other_frequencies_and_mismatched_weekday() -> None:
    with pytest.raises(ValueError, match="every other week"):
        weekly(date(2027, 2, 2), interval_weeks=3)
    with pytest.raises(ValueError, match="weekday"):
        MeetingSeries(GROUP, MON, time(18), date(2027, 2, 2))


# --- changes -------------------------------------------------------------------------------------
def test_cancel_one_occurrence() -> None:
    series = cancel_occurrence(weekly(date(2027, 2, 2)), date(2027, 2, 9))
    assert days(occurrences(series, date(2027, 2, 1), date(2027, 2, 20))) == [
        date(2027, 2, 2),
        date(2027, 2, 16),
    ]
    assert series.sequence == 1
    with pytest.raises(ValueError, match="not a meeting day"):
        cancel_occurrence(series, date(2027, 2, 10))


def test_move_one_occurrence() -> None:
    series = move_occurrence(weekly(date(2027, 2, 2)), date(2027, 2, 9), datetime(2027, 2, 11, 17, 30))
    found = occurrences(series, date(2027, 2, 1), date(2027, 2, 20))
    assert [o.start for o in found] == [
        datetime(2027, 2, 2, 18, tzinfo=OSLO),
        datetime(2027, 2, 11, 17, 30, tzinfo=OSLO),
        datetime(2027, 2, 16, 18, tzinfo=OSLO),
    ]
    assert found[1].moved and found[1].original_date == date(2027, 2, 9)


def test_a_meeting_skipped_for_a_holiday_can_be_moved() -> None:
    series = weekly(date(2027, 3, 22))
    moved = move_occurrence(series, date(2027, 3, 29), datetime(2027, 3, 30, 18))
    assert date(2027, 3, 30) in days(occurrences(moved, date(2027, 3, 22), date(2027, 4, 6)))


def test_cancelling_a_moved_meeting_drops_the_move() -> None:
    series = move_occurrence(weekly(date(2027, 2, 2)), date(2027, 2, 9), datetime(2027, 2, 11, 18))
    series = cancel_occurrence(series, date(2027, 2, 9))
    assert series.overrides == ()
    assert days(occurrences(series, date(2027, 2, 1), date(2027, 2, 20))) == [
        date(2027, 2, 2),
        date(2027, 2, 16),
    ]


def test_switch_frequency_ends_the_old_segment_and_starts_a_new_one() -> None:
    series = cancel_occurrence(weekly(date(2027, 2, 2)), date(2027, 3, 16))
    old, new = switch_frequency(series, date(2027, 3, 1), interval_weeks=2)
    assert old.ended_on == date(2027, 2, 28) and old.sequence == series.sequence + 1
    assert (new.first_date, new.interval_weeks, new.segment, new.sequence) == (date(2027, 3, 2), 2, 1, 0)
    assert new.cancelled == {date(2027, 3, 16)}  # still a meeting day of the new pattern
    window = (date(2027, 2, 1), date(2027, 4, 1))
    assert days(occurrences(old, *window) + occurrences(new, *window)) == [
        date(2027, 2, 2),
        date(2027, 2, 9),
        date(2027, 2, 16),
        date(2027, 2, 23),
        date(2027, 3, 2),
        date(2027, 3, 30),
    ]


def test_switch_before_the_first_meeting_replaces_the_series() -> None:
    series = weekly(date(2027, 2, 2))
    (replaced,) = switch_frequency(series, date(2027, 1, 20), interval_weeks=2)
    assert (replaced.first_date, replaced.interval_weeks, replaced.segment) == (date(2027, 2, 2), 2, 0)
    assert replaced.sequence == 1


def test_move_weekday_and_time_from_a_date() -> None:
    old, new = move_weekly_time(weekly(date(2027, 2, 2)), date(2027, 2, 15), weekday=THU, start_time=time(17))
    assert (new.weekday, new.start_time, new.first_date) == (THU, time(17), date(2027, 2, 18))
    found = occurrences(old, date(2027, 2, 1), date(2027, 3, 1)) + occurrences(
        new, date(2027, 2, 1), date(2027, 3, 1)
    )
    assert [o.start.replace(tzinfo=None) for o in found] == [
        datetime(2027, 2, 2, 18),
        datetime(2027, 2, 9, 18),
        datetime(2027, 2, 18, 17),
        datetime(2027, 2, 25, 17),
    ]


def test_pause_and_resume() -> None:
    paused = pause(weekly(date(2027, 2, 2)), date(2027, 2, 10))
    assert days(occurrences(paused, date(2027, 2, 1), date(2027, 4, 1))) == [
        date(2027, 2, 2),
        date(2027, 2, 9),
    ]
    with pytest.raises(ValueError, match="paused"):
        switch_frequency(paused, date(2027, 3, 1), 2)
    old, new = resume(paused, date(2027, 3, 1), interval_weeks=2)
    assert old.ended_on == date(2027, 2, 9) and old.paused_from is None
    assert (new.first_date, new.interval_weeks, new.paused_from) == (date(2027, 3, 2), 2, None)


def test_end_series() -> None:
    ended = end_series(weekly(date(2027, 2, 2)), date(2027, 2, 16))
    assert days(occurrences(ended, date(2027, 2, 1), date(2027, 6, 1)))[-1] == date(2027, 2, 16)
    assert ended.sequence == 1


def test_changes_leave_the_original_untouched() -> None:
    series = weekly(date(2027, 2, 2))
    cancel_occurrence(series, date(2027, 2, 9))
    switch_frequency(series, date(2027, 3, 1), 2)
    assert series == weekly(date(2027, 2, 2))


# --- property ------------------------------------------------------------------------------------
START_TIMES = candidate_start_times("mon_daytime") + candidate_start_times("mon_evening")


@settings(max_examples=150, deadline=None)
@given(
    first=st.dates(date(2026, 1, 1), date(2030, 12, 31)),
    at=st.sampled_from(START_TIMES),
    interval=st.sampled_from([1, 2]),
    weeks=st.integers(1, 80),
)
def test_meetings_never_fall_on_a_holiday_and_keep_their_local_time(
    first: date, at: time, interval: int, weeks: int
) -> None:
    series = weekly(first, at, interval_weeks=interval)
    found = occurrences(series, first, first + timedelta(weeks=weeks))
    norwegian = holidays.country_holidays("NO", years=range(2026, 2033))
    for occurrence in found:
        local = occurrence.start.astimezone(OSLO)
        assert local.date() not in norwegian
        assert local.time() == at and local.weekday() == first.weekday()
        assert (local.date() - first).days % (7 * interval) == 0
        assert occurrence.end - occurrence.start == timedelta(hours=2)
    # Exactly the pattern days minus the holidays: none lost, none added.
    expected = [
        first + timedelta(weeks=interval * k)
        for k in range(-(-weeks // interval))
        if first + timedelta(weeks=interval * k) not in norwegian
    ]
    assert days(found) == expected
