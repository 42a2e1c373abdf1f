"""Reminder times before a meeting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.calendar.domain import reminder_due_times

pytestmark = pytest.mark.unit

OSLO = ZoneInfo("Europe/Oslo")


def test_a_day_and_two_hours_before() -> None:
    start = datetime(2027, 2, 2, 18, tzinfo=OSLO)
    assert reminder_due_times(start) == (
        datetime(2027, 2, 1, 18, tzinfo=OSLO),
        datetime(2027, 2, 2, 16, tzinfo=OSLO),
    )


def test_the_day_before_keeps_the_wall_clock_time_across_dst() -> None:
    # Sunday 2027-03-28 is the spring-forward day: "a day before" is Saturday 18:00, 23 hours earlier.
    start = datetime(2027, 3, 28, 18, tzinfo=OSLO)
    day_before, two_hours_before = reminder_due_times(start)
    assert day_before == datetime(2027, 3, 27, 18, tzinfo=OSLO)
    assert start.astimezone(UTC) - day_before.astimezone(UTC) == timedelta(hours=23)
    assert start.astimezone(UTC) - two_hours_before.astimezone(UTC) == timedelta(hours=2)


def test_reminders_already_past_are_left_out() -> None:
    start = datetime(2027, 2, 2, 18, tzinfo=OSLO)
    assert reminder_due_times(start, not_before=datetime(2027, 2, 2, 9, tzinfo=OSLO)) == (
        datetime(2027, 2, 2, 16, tzinfo=OSLO),
    )


def test_custom_offsets_and_bad_input() -> None:
    start = datetime(2027, 2, 2, 18, tzinfo=OSLO)
    assert reminder_due_times(start, (timedelta(minutes=30),)) == (datetime(2027, 2, 2, 17, 30, tzinfo=OSLO),)
    with pytest.raises(ValueError, match="aware"):
        reminder_due_times(datetime(2027, 2, 2, 18))
    with pytest.raises(ValueError, match="before the meeting"):
        reminder_due_times(start, (timedelta(0),))
