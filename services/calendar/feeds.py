"""iCalendar (RFC 5545) feeds a group or a participant can subscribe to.

Each series segment becomes one recurring VEVENT (RRULE WEEKLY, INTERVAL 1 or 2, DTSTART with
TZID=Europe/Oslo so the wall-clock time survives DST); skipped days are EXDATEs and moved meetings are
separate VEVENTs with the same UID and a RECURRENCE-ID. Calendars are shown on phones, lock screens and
shared work calendars, so a title never names the topic: taking part in a group is itself sensitive.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from icalendar import Calendar, Event, vDuration, vRecur

from shared.contracts.vocabulary import Topic

from .rules import DEFAULT_RULES, CalendarRules
from .series import MeetingSeries, MovedOccurrence
from .venues import Venue

# Topic words in the languages titles are written in; a title containing one would reveal the topic.
_TOPIC_WORDS = {topic.value.replace("_", " ") for topic in Topic if topic is not Topic.other} | {
    "sorg", "angst", "depresjon", "ensomhet", "pårørende", "avhengighet", "rus", "kreft", "kronisk",
    "livskrise", "selvbilde", "vold",
}  # fmt: skip


@dataclass(frozen=True)
class GroupSchedule:
    """What a feed shows of one group: its series segments and where it meets."""

    series: tuple[MeetingSeries, ...]
    venue: Venue | None = None
    meeting_url: str | None = None
    title: str | None = None


def group_feed(
    series: MeetingSeries | Sequence[MeetingSeries],
    group_title: str | None = None,
    venue: Venue | None = None,
    url: str | None = None,
    sequence: int | None = None,
    *,
    stamp: datetime | None = None,
    rules: CalendarRules = DEFAULT_RULES,
) -> bytes:
    """The feed of one group. `series` is one segment or all of them; `sequence` overrides theirs."""
    segments = (series,) if isinstance(series, MeetingSeries) else tuple(series)
    title = _neutral_title(group_title or rules.event_title)
    schedule = GroupSchedule(segments, venue, url, title)
    return _feed([schedule], title, stamp, rules, sequence)


def participant_feed(
    schedules: Iterable[GroupSchedule],
    *,
    calendar_name: str | None = None,
    stamp: datetime | None = None,
    rules: CalendarRules = DEFAULT_RULES,
) -> bytes:
    """One feed with the meetings of all groups a participant is in."""
    name = _neutral_title(calendar_name or rules.event_title)
    return _feed(list(schedules), name, stamp, rules, None)


def event_uid(series: MeetingSeries, rules: CalendarRules = DEFAULT_RULES) -> str:
    """Stable per group and segment, so a re-published feed updates events instead of adding copies."""
    suffix = f"-{series.segment}" if series.segment else ""
    return f"group-{series.group_id}{suffix}@{rules.uid_domain}"


def published_calendar(name: str, rules: CalendarRules) -> Calendar:
    """The head every feed here starts with (participants' and starters'): a published calendar named
    `name`; each feed adds its own properties after these, in a fixed order for byte-identical output."""
    calendar = Calendar()
    calendar.add("prodid", rules.prodid)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _feed(
    schedules: list[GroupSchedule],
    name: str,
    stamp: datetime | None,
    rules: CalendarRules,
    sequence: int | None,
) -> bytes:
    # DTSTAMP of a PUBLISH object is when it was created; pass `stamp` for byte-identical output.
    stamp = (stamp or datetime.now(UTC)).astimezone(UTC)
    calendar = published_calendar(name, rules)
    calendar.add("x-wr-timezone", rules.timezone)
    # How often subscribers should fetch again: RFC 7986 and the older Microsoft/Apple property.
    calendar.add("refresh-interval", rules.feed_refresh, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(rules.feed_refresh).to_ical().decode())
    earliest = stamp.date()
    for schedule in schedules:
        title = _neutral_title(schedule.title or rules.event_title)
        for segment in schedule.series:
            if segment.last_day is not None and segment.last_day < segment.first_date:
                continue  # replaced before its first meeting: nothing to show
            earliest = min(earliest, segment.first_date)
            for component in _segment_events(segment, schedule, title, stamp, rules, sequence):
                calendar.add_component(component)
    calendar.add_missing_timezones(
        first_date=date(earliest.year, 1, 1), last_date=date(stamp.year, 1, 1) + rules.feed_horizon * 2
    )
    return calendar.to_ical()


def _segment_events(
    series: MeetingSeries,
    schedule: GroupSchedule,
    title: str,
    stamp: datetime,
    rules: CalendarRules,
    sequence: int | None,
) -> list[Event]:
    zone = rules.zone
    revision = series.sequence if sequence is None else sequence
    master = _event(series, schedule, title, stamp, revision, rules)
    master.start = datetime.combine(series.first_date, series.start_time, tzinfo=zone)
    master.duration = series.duration
    master.add("rrule", _rrule(series, rules))
    skipped = _skipped_days(series, stamp, rules)
    if skipped:
        master.add("exdate", [datetime.combine(day, series.start_time, tzinfo=zone) for day in skipped])
    events = [master]
    for moved in series.overrides:
        if series.is_pattern_day(moved.original_date) and moved.original_date not in series.cancelled:
            events.append(_moved_event(series, moved, schedule, title, stamp, revision, rules))
    return events


def _event(
    series: MeetingSeries,
    schedule: GroupSchedule,
    title: str,
    stamp: datetime,
    revision: int,
    rules: CalendarRules,
) -> Event:
    location = schedule.venue.location if schedule.venue else schedule.meeting_url
    event = Event.new(
        uid=event_uid(series, rules),
        stamp=stamp,
        sequence=revision,
        summary=title,
        location=location,
        url=schedule.meeting_url,
    )
    # PRIVATE: shared work calendars show the time as busy but not the event.
    event.add("class", "PRIVATE")
    event.add("status", "CONFIRMED")
    return event


def _moved_event(
    series: MeetingSeries,
    moved: MovedOccurrence,
    schedule: GroupSchedule,
    title: str,
    stamp: datetime,
    revision: int,
    rules: CalendarRules,
) -> Event:
    zone = rules.zone
    event = _event(series, schedule, title, stamp, revision, rules)
    event.add("recurrence-id", datetime.combine(moved.original_date, series.start_time, tzinfo=zone))
    event.start = moved.start.replace(tzinfo=zone)
    event.duration = moved.duration or series.duration
    return event


def _rrule(series: MeetingSeries, rules: CalendarRules) -> vRecur:
    rule = vRecur(freq="WEEKLY", interval=series.interval_weeks)
    if series.last_day is not None:
        # RFC 5545: with a TZID'd DTSTART, UNTIL is given in UTC; the last meeting's start is included.
        last_start = datetime.combine(series.last_day, series.start_time, tzinfo=rules.zone)
        rule["until"] = last_start.astimezone(UTC)
    return rule


def _skipped_days(series: MeetingSeries, stamp: datetime, rules: CalendarRules) -> list[date]:
    """Pattern days without their regular meeting. Holidays and breaks are listed up to the feed horizon
    (the feed is fetched again long before then); cancellations and agreed days off always."""
    horizon_end = max(series.first_date, stamp.astimezone(rules.zone).date()) + rules.feed_horizon
    moved = {item.original_date for item in series.overrides}
    by_calendar = {
        day for day in series.pattern_days(series.first_date, horizon_end) if series.skip_reason(day, rules)
    }
    by_group = {day for day in series.cancelled | series.exdates if series.is_pattern_day(day)}
    return sorted((by_calendar | by_group) - moved)


def _neutral_title(title: str) -> str:
    for word in _TOPIC_WORDS:
        if re.search(rf"\b{re.escape(word)}", title, flags=re.IGNORECASE):
            raise ValueError(
                f"calendar titles must not name the topic ({word!r}); use e.g. 'Selvhjelpsgruppe'"
            )
    return title


__all__ = ["GroupSchedule", "event_uid", "group_feed", "participant_feed"]
