"""Venues and starters as the matcher sees them, and whether one can take a given set of meetings."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time

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


def overlaps(start: datetime, end: datetime, others: Iterable[tuple[datetime, datetime]]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in others)


def venue_closed_reason(venue: Venue, meetings: Iterable[Occurrence]) -> str | None:
    """Why the venue cannot host all `meetings` ignoring other bookings, or None if it can."""
    for meeting in meetings:
        if meeting.start.date() in venue.blackout_dates:
            return f"closed on {meeting.start.date()}"
        if not within_hours(venue.opening_hours, meeting):
            return f"not open {meeting.start:%H:%M}-{meeting.end:%H:%M} on {meeting.start.date()}"
    return None


def venue_is_free(venue: Venue, meetings: Iterable[Occurrence], bookings: Iterable[Booking]) -> bool:
    taken = [(booking.start, booking.end) for booking in bookings if booking.venue_id == venue.id]
    return not any(overlaps(meeting.start, meeting.end, taken) for meeting in meetings)


def starter_can_attend(
    starter: Starter, meetings: Iterable[Occurrence], bookings: Iterable[StarterBooking]
) -> bool:
    taken = [(booking.start, booking.end) for booking in bookings if booking.starter_id == starter.id]
    return all(
        within_hours(starter.availability, meeting) and not overlaps(meeting.start, meeting.end, taken)
        for meeting in meetings
    )
