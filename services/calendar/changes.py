"""Changes to a meeting series. Each returns new values and leaves its argument untouched.

A change that applies "from a date on" (frequency, weekday, start time, resuming after a pause) ends the
current segment the day before and starts a new segment, because that is how calendar clients represent
it (RRULE UNTIL on the old event, a new event from the change). A change that applies before the first
meeting simply replaces the segment, so subscribers keep one event with the same UID.
Every change raises SEQUENCE so subscribed calendars replace what they have.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from .rules import DEFAULT_RULES, CalendarRules
from .series import MeetingSeries, MovedOccurrence


def switch_frequency(
    series: MeetingSeries, from_date: date, interval_weeks: int
) -> tuple[MeetingSeries, ...]:
    """Meet every `interval_weeks` weeks from `from_date` on: (ended old segment, new) or (replaced,)."""
    _require_running_on(series, from_date)
    pattern = _Pattern(series.weekday, series.start_time, interval_weeks)
    return _split(series, from_date - timedelta(days=1), from_date, pattern)


def move_weekly_time(
    series: MeetingSeries, from_date: date, *, weekday: int | None = None, start_time: time | None = None
) -> tuple[MeetingSeries, ...]:
    """Meet on another weekday and/or at another time from `from_date` on."""
    _require_running_on(series, from_date)
    pattern = _Pattern(
        series.weekday if weekday is None else weekday, start_time or series.start_time, series.interval_weeks
    )
    return _split(series, from_date - timedelta(days=1), from_date, pattern)


def pause(series: MeetingSeries, from_date: date) -> MeetingSeries:
    """No meetings from `from_date` on until the group resumes."""
    _require_running_on(series, from_date)
    return replace(series, paused_from=from_date, sequence=series.sequence + 1)


def resume(
    series: MeetingSeries,
    from_date: date,
    *,
    interval_weeks: int | None = None,
    weekday: int | None = None,
    start_time: time | None = None,
) -> tuple[MeetingSeries, ...]:
    """Meet again from `from_date` on, optionally with a new pattern. The paused segment stays as history."""
    if series.paused_from is None:
        raise ValueError("the series is not paused")
    if from_date < series.paused_from:
        raise ValueError(f"cannot resume on {from_date}, before the pause began on {series.paused_from}")
    pattern = _Pattern(
        series.weekday if weekday is None else weekday,
        start_time or series.start_time,
        interval_weeks or series.interval_weeks,
    )
    last_old_day = series.paused_from - timedelta(days=1)
    return _split(replace(series, paused_from=None), last_old_day, from_date, pattern)


def end_series(series: MeetingSeries, on_date: date) -> MeetingSeries:
    """The group ends; `on_date` is the last day that may still have a meeting."""
    if series.ended_on is not None and series.ended_on <= on_date:
        raise ValueError(f"the series already ended on {series.ended_on}")
    return replace(series, ended_on=on_date, sequence=series.sequence + 1)


def cancel_occurrence(series: MeetingSeries, original_date: date) -> MeetingSeries:
    """Call off the meeting of the pattern day `original_date` (also if it had been moved)."""
    _require_pattern_day(series, original_date)
    return replace(
        series,
        cancelled=series.cancelled | {original_date},
        overrides=tuple(moved for moved in series.overrides if moved.original_date != original_date),
        sequence=series.sequence + 1,
    )


def move_occurrence(
    series: MeetingSeries,
    original_date: date,
    new_start: datetime,
    duration: timedelta | None = None,
    rules: CalendarRules = DEFAULT_RULES,
) -> MeetingSeries:
    """Hold the meeting of the pattern day `original_date` at `new_start` instead (naive means local time).

    A meeting skipped for a holiday may be moved too: the group decided to meet on another day that week.
    """
    _require_pattern_day(series, original_date)
    if original_date in series.cancelled:
        raise ValueError(f"the meeting of {original_date} is cancelled; it cannot be moved")
    local_start = new_start.astimezone(rules.zone).replace(tzinfo=None) if new_start.tzinfo else new_start
    others = tuple(moved for moved in series.overrides if moved.original_date != original_date)
    moved = MovedOccurrence(original_date, local_start, duration)
    return replace(
        series,
        overrides=tuple(sorted((*others, moved), key=lambda item: item.original_date)),
        sequence=series.sequence + 1,
    )


@dataclass(frozen=True)
class _Pattern:
    weekday: int
    start_time: time
    interval_weeks: int


def _split(
    series: MeetingSeries, last_old_day: date, from_date: date, pattern: _Pattern
) -> tuple[MeetingSeries, ...]:
    """End `series` on `last_old_day` and continue with `pattern` from `from_date` (its later limits kept)."""
    anchor = max(from_date, series.first_date)
    first_date = anchor + timedelta(days=(pattern.weekday - anchor.weekday()) % 7)
    new = replace(
        series,
        weekday=pattern.weekday,
        start_time=pattern.start_time,
        interval_weeks=pattern.interval_weeks,
        first_date=first_date,
        exdates=frozenset(day for day in series.exdates if day >= from_date),
        cancelled=frozenset(),
        overrides=(),
    )
    # Cancellations and moves carry over only where the new pattern still has a meeting that day.
    new = replace(
        new,
        cancelled=frozenset(day for day in series.cancelled if new.is_pattern_day(day)),
        overrides=tuple(moved for moved in series.overrides if new.is_pattern_day(moved.original_date)),
    )
    if last_old_day < series.first_date:
        # Nothing of the old pattern has happened yet: replace it and keep its UID.
        return (replace(new, sequence=series.sequence + 1),)
    old = replace(
        series,
        ended_on=last_old_day,
        exdates=frozenset(day for day in series.exdates if day <= last_old_day),
        cancelled=frozenset(day for day in series.cancelled if day <= last_old_day),
        overrides=tuple(moved for moved in series.overrides if moved.original_date <= last_old_day),
        sequence=series.sequence + 1,
    )
    return (old, replace(new, segment=series.segment + 1, sequence=0))


def _require_running_on(series: MeetingSeries, day: date) -> None:
    if series.last_day is not None and day > series.last_day:
        state = "paused" if series.paused_from and series.paused_from <= day else "ended"
        raise ValueError(f"the series is {state} on {day}; resume it (with the new pattern) instead")


def _require_pattern_day(series: MeetingSeries, day: date) -> None:
    if not series.is_pattern_day(day):
        raise ValueError(f"{day} is not a meeting day of this series")
