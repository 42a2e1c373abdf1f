"""A starter's meetings as an iCalendar (RFC 5545) feed: one VEVENT per booked meeting (a starter leads a
group's first few meetings only, so there is no recurrence to describe). Pure: no I/O.

As for the participants' feeds (feeds.py), a title never names the topic and events are PRIVATE: a
starter's work calendar may be shared with colleagues. A meeting the starter cannot come to is CANCELLED
in its own calendar, so the slot shows free again.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from icalendar import Calendar, Event

from .rules import DEFAULT_RULES, CalendarRules


@dataclass(frozen=True)
class StarterFeedMeeting:
    group_id: uuid.UUID
    start: datetime
    end: datetime
    location: str | None
    cancelled: bool = False


def starter_feed(
    meetings: Iterable[StarterFeedMeeting],
    *,
    stamp: datetime | None = None,
    rules: CalendarRules = DEFAULT_RULES,
) -> bytes:
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)
    calendar = Calendar()
    calendar.add("prodid", rules.prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", rules.event_title)
    calendar.add("refresh-interval", rules.feed_refresh, parameters={"VALUE": "DURATION"})
    for meeting in meetings:
        start = meeting.start.astimezone(UTC)
        event = Event.new(
            # Stable per group and meeting, so a fetched-again feed updates rather than duplicates.
            uid=f"starter-{meeting.group_id}-{start:%Y%m%dT%H%M%SZ}@{rules.uid_domain}",
            stamp=stamp,
            summary=rules.event_title,
            location=meeting.location,
            start=start,
            end=meeting.end.astimezone(UTC),
        )
        event.add("class", "PRIVATE")
        event.add("status", "CANCELLED" if meeting.cancelled else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
