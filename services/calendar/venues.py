"""Venues and starters as the matcher sees them, and whether one can take a given set of meetings."""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import accumulate

from .series import Occurrence

WeeklyHours = Mapping[int, tuple["TimeRange", ...]]
"""Opening hours or availability per weekday (Monday is 0); a missing weekday means closed."""


@dataclass(frozen=True)
class TimeRange:
    """A span of clock time within one day, Europe/Oslo wall clock."""

    start: time
    end: time

    def covers(self, start: time, end: time) -> bool:
        return self.start <= start and end <= self.end


@dataclass(frozen=True)
class Venue:
    """Free, neutral premises (library, volunteer centre, healthy-life centre, school, church...)."""

    id: str
    name: str
    municipality: str
    kind: str
    capacity: int
    accessible: bool
    opening_hours: WeeklyHours = field(default_factory=dict)
    blackout_dates: frozenset[date] = frozenset()
    address: str = ""

    @property
    def location(self) -> str:
        return f"{self.name}, {self.address}" if self.address else self.name


@dataclass(frozen=True)
class Booking:
    """Time a venue is already taken (by another group or anyone else). Aware datetimes."""

    venue_id: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Starter:
    id: str
    district: str
    availability: WeeklyHours = field(default_factory=dict)


@dataclass(frozen=True)
class StarterBooking:
    """A meeting a starter already attends. Aware datetimes."""

    starter_id: str
    start: datetime
    end: datetime


def within_hours(hours: WeeklyHours, meeting: Occurrence) -> bool:
    """Whether the meeting lies inside one of the ranges of its weekday (meetings never pass midnight)."""
    start, end = meeting.start, meeting.end
    if start.date() != end.date():
        return False
    return any(span.covers(start.time(), end.time()) for span in hours.get(start.weekday(), ()))


class BusyTimes:
    """When each venue (or starter) is already booked, indexed for quick overlap checks.

    A district's venues carry every group's weekly meetings for the whole horizon, so a linear scan per
    candidate meeting grows with the number of groups; sorted starts and a running maximum of the ends
    answer "is anything booked that overlaps this meeting?" in O(log n), overlapping bookings included.
    """

    def __init__(self, spans: Iterable[tuple[str, datetime, datetime]]) -> None:
        by_owner: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
        for owner, start, end in spans:
            by_owner[owner].append((start, end))
        self._starts: dict[str, list[datetime]] = {}
        self._latest_end: dict[str, list[datetime]] = {}
        for owner, taken in by_owner.items():
            taken.sort()
            self._starts[owner] = [start for start, _ in taken]
            self._latest_end[owner] = list(accumulate((end for _, end in taken), max))

    def is_busy(self, owner: str, start: datetime, end: datetime) -> bool:
        starts = self._starts.get(owner)
        if not starts:
            return False
        before_end = bisect_left(starts, end)  # bookings that start before the meeting ends
        return before_end > 0 and self._latest_end[owner][before_end - 1] > start


def venue_closed_reason(venue: Venue, meetings: Iterable[Occurrence]) -> str | None:
    """Why the venue cannot host all `meetings` ignoring other bookings, or None if it can."""
    for meeting in meetings:
        if meeting.start.date() in venue.blackout_dates:
            return f"closed on {meeting.start.date()}"
        if not within_hours(venue.opening_hours, meeting):
            return f"not open {meeting.start:%H:%M}-{meeting.end:%H:%M} on {meeting.start.date()}"
    return None


def venue_is_free(venue: Venue, meetings: Iterable[Occurrence], busy: BusyTimes) -> bool:
    return not any(busy.is_busy(venue.id, meeting.start, meeting.end) for meeting in meetings)


def starter_can_attend(starter: Starter, meetings: Iterable[Occurrence], busy: BusyTimes) -> bool:
    return all(
        within_hours(starter.availability, meeting)
        and not busy.is_busy(starter.id, meeting.start, meeting.end)
        for meeting in meetings
    )
