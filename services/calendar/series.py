"""A group's meeting series and its expansion into concrete meetings.

Times are Europe/Oslo wall clock: a group meeting at 18:00 meets at 18:00 local time in winter and in
summer, so the series stores a local `time` and the zone is applied per day, never a fixed UTC offset.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

from .closures import closure_reason
from .rules import DEFAULT_RULES, CalendarRules, DateRange

# Stops a scan for "the next N meetings" that can never finish (e.g. a break that never ends).
_MAX_SCAN = timedelta(days=10 * 366)


@dataclass(frozen=True)
class MovedOccurrence:
    """One meeting moved away from its regular day or time. `start` is Europe/Oslo wall clock (naive)."""

    original_date: date
    start: datetime
    duration: timedelta | None = None

    def __post_init__(self) -> None:
        if self.start.tzinfo is not None:
            raise ValueError("MovedOccurrence.start is local wall-clock time; pass a naive datetime")


@dataclass(frozen=True)
class Occurrence:
    """A concrete meeting. `original_date` is its day in the regular pattern (the RECURRENCE-ID)."""

    start: datetime
    end: datetime
    original_date: date
    moved: bool = False


@dataclass(frozen=True)
class MeetingSeries:
    """One segment of a group's meetings: a fixed weekday, start time and frequency from `first_date`.

    A change of frequency, weekday or time from some date on ends this segment and starts the next one
    (`segment` + 1), as iCalendar clients expect. `exdates` are extra days off agreed for this series (say,
    the venue is closed); `cancelled` are single meetings the group called off; `breaks` are the region's
    breaks. `paused_from` is the first day without meetings; `ended_on` is the last day that may have one.
    """

    group_id: UUID
    weekday: int
    start_time: time
    first_date: date
    interval_weeks: int = 1
    duration: timedelta = DEFAULT_RULES.duration
    exdates: frozenset[date] = frozenset()
    overrides: tuple[MovedOccurrence, ...] = ()
    cancelled: frozenset[date] = frozenset()
    paused_from: date | None = None
    ended_on: date | None = None
    breaks: tuple[DateRange, ...] = ()
    sequence: int = 0
    segment: int = 0

    def __post_init__(self) -> None:
        if self.interval_weeks not in (1, 2):
            raise ValueError(
                f"a group meets weekly or every other week, not every {self.interval_weeks} weeks"
            )
        if self.first_date.weekday() != self.weekday:
            raise ValueError(f"first_date {self.first_date} is not on weekday {self.weekday}")
        if self.duration <= timedelta(0):
            raise ValueError("a meeting must last a positive time")
        originals = [moved.original_date for moved in self.overrides]
        if len(originals) != len(set(originals)):
            raise ValueError("a meeting can be moved only once; replace the earlier move instead")

    @property
    def last_day(self) -> date | None:
        """Last day that may have a meeting, or None while the series is open-ended."""
        day_before_pause = self.paused_from - timedelta(days=1) if self.paused_from else None
        limits = [day for day in (self.ended_on, day_before_pause) if day is not None]
        return min(limits) if limits else None

    def is_pattern_day(self, day: date) -> bool:
        """Whether the regular pattern (weekday, frequency, first and last day) puts a meeting on `day`."""
        if day < self.first_date or (self.last_day is not None and day > self.last_day):
            return False
        return (day - self.first_date).days % (7 * self.interval_weeks) == 0

    def pattern_days(self, first: date, last: date) -> Iterator[date]:
        """Pattern days in [first, last], before holidays, breaks and cancellations are taken out."""
        step = 7 * self.interval_weeks
        offset = max(0, (first - self.first_date).days)
        day = self.first_date + timedelta(days=-(-offset // step) * step)
        stop = min(last, self.last_day) if self.last_day else last
        while day <= stop:
            yield day
            day += timedelta(days=step)

    def moved(self, day: date) -> MovedOccurrence | None:
        return next((moved for moved in self.overrides if moved.original_date == day), None)

    def skip_reason(self, day: date, rules: CalendarRules = DEFAULT_RULES) -> str | None:
        """Why the pattern day `day` has no regular meeting, or None if it has one."""
        if day in self.cancelled:
            return "cancelled"
        if day in self.exdates:
            return "day off for this group"
        return closure_reason(day, self.breaks, rules)


def first_meeting_date(
    weekday: int,
    today: date,
    notice_days: int | None = None,
    *,
    breaks: tuple[DateRange, ...] = (),
    rules: CalendarRules = DEFAULT_RULES,
) -> date:
    """First day on `weekday` at least the notice period after `today` that is no holiday or break day.

    The notice period gives members time to plan, sign the confidentiality agreement and find the venue.
    """
    notice = rules.notice_days if notice_days is None else notice_days
    earliest = today + timedelta(days=notice)
    day = earliest + timedelta(days=(weekday - earliest.weekday()) % 7)
    while closure_reason(day, breaks, rules):
        day += timedelta(days=7)
        if day - earliest > _MAX_SCAN:
            raise ValueError(f"no meeting day on weekday {weekday} within ten years after {earliest}")
    return day


def occurrences(
    series: MeetingSeries,
    start: date | datetime,
    end: date | datetime,
    rules: CalendarRules = DEFAULT_RULES,
) -> list[Occurrence]:
    """Meetings that start in [start, end), in order. Dates mean local midnight; naive datetimes are local."""
    zone = rules.zone
    window_start, window_end = _local(start, zone), _local(end, zone)
    found = [
        occurrence
        for day in series.pattern_days(window_start.date(), window_end.date())
        if (occurrence := _regular(series, day, zone, rules)) is not None
    ]
    found += [_moved(series, moved, zone) for moved in series.overrides if _counts(series, moved)]
    return sorted(
        (occurrence for occurrence in found if window_start <= occurrence.start < window_end),
        key=lambda occurrence: occurrence.start,
    )


def first_occurrences(
    series: MeetingSeries, count: int, rules: CalendarRules = DEFAULT_RULES
) -> list[Occurrence]:
    """The first `count` meetings of the pattern (fewer if the series ends sooner), e.g. the starter's."""
    zone = rules.zone
    found: list[Occurrence] = []
    day, limit = series.first_date, series.last_day or series.first_date + _MAX_SCAN
    while len(found) < count and day <= limit:
        moved = series.moved(day)
        occurrence = (
            _moved(series, moved, zone)
            if moved and _counts(series, moved)
            else _regular(series, day, zone, rules)
        )
        if occurrence is not None:
            found.append(occurrence)
        day += timedelta(weeks=series.interval_weeks)
    return sorted(found, key=lambda occurrence: occurrence.start)


def _regular(series: MeetingSeries, day: date, zone: ZoneInfo, rules: CalendarRules) -> Occurrence | None:
    if series.moved(day) is not None or series.skip_reason(day, rules):
        return None
    start = datetime.combine(day, series.start_time, tzinfo=zone)
    return Occurrence(start, _end(start, series.duration, zone), day)


def _moved(series: MeetingSeries, moved: MovedOccurrence, zone: ZoneInfo) -> Occurrence:
    start = moved.start.replace(tzinfo=zone)
    return Occurrence(
        start, _end(start, moved.duration or series.duration, zone), moved.original_date, moved=True
    )


def _counts(series: MeetingSeries, moved: MovedOccurrence) -> bool:
    # A move replaces its pattern day even if that day is a holiday: the group chose to meet elsewhen.
    return series.is_pattern_day(moved.original_date) and moved.original_date not in series.cancelled


def _end(start: datetime, duration: timedelta, zone: ZoneInfo) -> datetime:
    # Elapsed time, not wall-clock time: a meeting across a DST change still lasts its duration.
    return (start.astimezone(UTC) + duration).astimezone(zone)


def _local(value: date | datetime, zone: ZoneInfo) -> datetime:
    if isinstance(value, datetime):
        return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)
    return datetime.combine(value, time(0), tzinfo=zone)
