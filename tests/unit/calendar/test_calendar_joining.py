"""A newcomer's feed starts at the group's next meeting after they joined (services/calendar/joining.py)."""

from __future__ import annotations

import uuid
from datetime import date, time

import pytest

from services.calendar.joining import from_joining
from services.calendar.series import MeetingSeries

pytestmark = pytest.mark.unit

GROUP = uuid.uuid4()
TUESDAY = date(2026, 3, 3)


def _series(first: date = TUESDAY, interval: int = 1, **more) -> MeetingSeries:
    return MeetingSeries(GROUP, first.weekday(), time(18), first, interval_weeks=interval, **more)


def test_founding_members_see_every_meeting():
    series = (_series(),)
    assert from_joining(series, None) == series


def test_a_newcomer_sees_the_meetings_from_the_next_one_on_or_after_the_day_they_joined():
    assert from_joining((_series(),), date(2026, 4, 1))[0].first_date == date(2026, 4, 7)
    assert from_joining((_series(),), date(2026, 4, 7))[0].first_date == date(2026, 4, 7)
    # Every other week: the next meeting of the group's own rhythm, not simply the next Tuesday.
    assert from_joining((_series(interval=2),), date(2026, 3, 11))[0].first_date == date(2026, 3, 17)


def test_segments_that_ended_before_they_joined_are_left_out_and_later_ones_kept():
    old = _series(ended_on=date(2026, 3, 24))
    new = _series(first=date(2026, 4, 2), segment=1)  # a Thursday from April on
    assert from_joining((old, new), date(2026, 3, 25)) == (new,)
    assert from_joining((_series(first=date(2026, 5, 5)),), date(2026, 4, 1))[0].first_date == date(
        2026, 5, 5
    )
