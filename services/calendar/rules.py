"""The calendar's frame as settings, and what a weekly slot such as `tue_evening` means in clock time.

Every number of the meeting frame (DOMAIN.md: 2-hour meetings, a notice period, the starter's first
meetings) is a default here, never a literal in the code that uses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from shared.vocabulary import WEEKDAY_NAMES as VOCABULARY_WEEKDAYS

WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
"""Weekday codes of the slot vocabulary, indexed like `date.weekday()` (Monday is 0)."""

WEEKDAY_NAMES = tuple(VOCABULARY_WEEKDAYS["en"].values())


@dataclass(frozen=True)
class DateRange:
    """An inclusive range of days, e.g. a region's summer break."""

    first: date
    last: date
    name: str = ""

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"date range {self.name!r} ends ({self.last}) before it starts ({self.first})")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


@dataclass(frozen=True)
class TimeWindow:
    """Earliest and latest start time a meeting may have within a part of the day."""

    earliest_start: time
    latest_start: time


@dataclass(frozen=True)
class CalendarRules:
    daytime: TimeWindow = TimeWindow(time(10, 0), time(14, 0))
    evening: TimeWindow = TimeWindow(time(17, 0), time(19, 0))
    start_step: timedelta = timedelta(minutes=30)
    duration: timedelta = timedelta(minutes=120)
    notice_days: int = 7
    starter_meetings: int = 3
    # A venue must be free for this many meetings before we promise the group a place.
    horizon_meetings: int = 12
    # A group without a starter is allowed by the texts, but the system's default plan includes one.
    require_starter: bool = True
    timezone: str = "Europe/Oslo"
    holiday_country: str = "NO"
    breaks_by_region: Mapping[str, tuple[DateRange, ...]] = field(default_factory=dict)
    meeting_url_template: str = "https://meet.example.no/selvhjelp-{group_id}"
    event_title: str = "Selvhjelpsgruppe"
    uid_domain: str = "selvhjelp.example.no"
    prodid: str = "-//Selvhjelp Norge//selvhjelp calendar//NO"
    # An open-ended RRULE needs finite EXDATEs: holidays and breaks are listed this far ahead.
    feed_horizon: timedelta = timedelta(days=730)
    feed_refresh: timedelta = timedelta(hours=12)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def breaks_for(self, region: str) -> tuple[DateRange, ...]:
        return tuple(self.breaks_by_region.get(region, ()))


DEFAULT_RULES = CalendarRules()


@dataclass(frozen=True)
class SlotTimes:
    """A slot in clock terms: the weekday and the window its meetings may start in."""

    slot: str
    weekday: int
    daypart: str
    window: TimeWindow

    def describe(self) -> str:
        """Human wording for reasons, e.g. `Tuesday evenings`."""
        return f"{WEEKDAY_NAMES[self.weekday]} {self.daypart}s".replace("daytimes", "daytime")


def slot_times(slot: str, rules: CalendarRules = DEFAULT_RULES) -> SlotTimes:
    day_code, _, daypart = slot.partition("_")
    windows = {"daytime": rules.daytime, "evening": rules.evening}
    if day_code not in WEEKDAY_CODES or daypart not in windows:
        raise ValueError(f"unknown slot {slot!r}; expected weekday_part such as 'tue_evening'")
    return SlotTimes(slot, WEEKDAY_CODES.index(day_code), daypart, windows[daypart])


def candidate_start_times(slot: str, rules: CalendarRules = DEFAULT_RULES) -> tuple[time, ...]:
    """Start times inside the slot's window, earliest first, every `rules.start_step`."""
    window = slot_times(slot, rules).window
    day = date(2000, 1, 1)  # any day: the steps are pure clock arithmetic, no zone involved
    current = datetime.combine(day, window.earliest_start)
    last = datetime.combine(day, window.latest_start)
    starts = []
    while current <= last:
        starts.append(current.time())
        current += rules.start_step
    return tuple(starts)


def weekday_code(weekday: int) -> str:
    """`1` -> `tue`, the form MeetingScheduled.weekday uses."""
    return WEEKDAY_CODES[weekday]
