"""Staff changes to a group's meetings: frequency, weekday and time, pause, resume, end, and one meeting
cancelled or moved. Each runs in the caller's transaction: the domain computes the new series, the venue
is checked open and booked (the exclusion constraint refuses a clash), reminders follow, and one event
(meeting.changed.v1 or meeting.cancelled.v1) is staged.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Event, MeetingCancelled, MeetingChanged
from shared.messaging import Outbox

from . import domain
from .breaks import group_breaks
from .config import CalendarConfig
from .domain import MeetingSeries, Occurrence
from .models import groups
from .plan import Booker, meetings_between, sync_plan
from .rules import WEEKDAY_NAMES
from .starter_notices import booked_starters, tell_changed_starters
from .store import load_series, load_venue, save_series
from .venues import venue_closed_reason

SOURCE = "calendar"


class GroupNotFound(Exception):
    """No such group in the staff member's district (another district's group looks the same)."""


class ChangeRefused(Exception):
    """The change breaks a rule of the series, e.g. a date that is not a meeting day, or in the past."""


class VenueUnavailable(Exception):
    """The venue is closed at the new time (a booking clash surfaces as the database's IntegrityError)."""


@dataclass(frozen=True)
class Context:
    """What every change sees: the group's segments, the config and the moment of the change."""

    segments: tuple[MeetingSeries, ...]
    config: CalendarConfig
    now: datetime

    @property
    def today(self) -> date:
        return self.now.astimezone(self.config.rules.zone).date()

    @property
    def current(self) -> MeetingSeries:
        return self.segments[-1]

    def with_current(self, *replacement: MeetingSeries) -> tuple[MeetingSeries, ...]:
        return (*self.segments[:-1], *replacement)

    def next_meeting(self, segments: Sequence[MeetingSeries], after: datetime) -> Occurrence | None:
        found = meetings_between(segments, after, after + self.config.horizon, self.config)
        return next((meeting for meeting in found if meeting.start > after), None)

    def meeting_on(self, original_date: date) -> tuple[int, Occurrence]:
        """The segment index and the meeting of the pattern day `original_date` (moved or not)."""
        for index, one in enumerate(self.segments):
            if one.is_pattern_day(original_date):
                moved = one.moved(original_date)
                day = moved.start.date() if moved else original_date
                window = domain.occurrences(one, day, day + timedelta(days=1), self.config.rules)
                meeting = next((m for m in window if m.original_date == original_date), None)
                if meeting is None:
                    reason = one.skip_reason(original_date, self.config.rules) or "no meeting"
                    raise ChangeRefused(f"there is no meeting on {original_date}: {reason}")
                if meeting.start <= self.now:
                    raise ChangeRefused(f"the meeting of {original_date} has already begun or passed")
                return index, meeting
        raise ChangeRefused(f"{original_date} is not a meeting day of this group")


Change = Callable[[Context], tuple[tuple[MeetingSeries, ...], Event]]


async def apply_change(
    session: AsyncSession,
    outbox: Outbox,
    config: CalendarConfig,
    group_id: uuid.UUID,
    district: str,
    change: Change,
    now: datetime,
) -> Event:
    row = (
        await session.execute(
            select(groups)
            .where(groups.c.group_id == group_id, groups.c.district == district)
            .with_for_update()
        )
    ).one_or_none()
    if row is None:
        raise GroupNotFound(group_id)
    segments = tuple(await load_series(session, group_id, await group_breaks(session, config, group_id)))
    if row.status != "scheduled" or not segments:
        raise ChangeRefused(f"the group has no running meeting series (status {row.status})")
    context = Context(segments, config, now)
    try:
        changed, event = change(context)
    except ValueError as error:  # the domain's own refusals
        raise ChangeRefused(str(error)) from None
    new_meetings = _new_meetings(segments, changed, context)
    venue = await load_venue(session, row.venue_id)
    if venue is not None:
        reason = venue_closed_reason(venue, new_meetings)
        if reason:
            raise VenueUnavailable(f"the venue is {reason}")
    await save_series(session, changed)
    starters_before = await booked_starters(session, group_id, now)
    await sync_plan(
        session,
        config,
        group_id,
        changed,
        venue=Booker(
            row.venue_id, strict=True, strict_only=frozenset(m.start.astimezone(UTC) for m in new_meetings)
        ),
        # The starter comes to the first meetings only; a changed time they cannot make is not worth
        # refusing the group's change over.
        starter=Booker(row.starter_id, strict=False),
        now=now,
    )
    await outbox.add(session, event.envelope(source=SOURCE, correlation_id=row.correlation_id))
    ids = {"correlation_id": row.correlation_id}
    await tell_changed_starters(session, outbox, config, group_id, starters_before, now, ids)
    return event


def _new_meetings(
    before: Sequence[MeetingSeries], after: Sequence[MeetingSeries], context: Context
) -> list[Occurrence]:
    """Meetings within the horizon that the change creates (a new day or time)."""
    until = context.now + context.config.horizon
    old = {(m.start, m.end) for m in meetings_between(before, context.now, until, context.config)}
    found = meetings_between(after, context.now, until, context.config)
    return [meeting for meeting in found if (meeting.start, meeting.end) not in old]


def _not_in_past(context: Context, day: date) -> None:
    if day < context.today:
        raise ChangeRefused(f"{day} is in the past")


# --- the changes -----------------------------------------------------------------------------------
def switch_frequency(from_date: date, interval_weeks: int) -> Change:
    def change(context: Context):
        _not_in_past(context, from_date)
        changed = context.with_current(*domain.switch_frequency(context.current, from_date, interval_weeks))
        first = context.next_meeting(changed[-1:], _start_of(from_date, context))
        how = "every week" if interval_weeks == 1 else f"every {interval_weeks} weeks"
        event = MeetingChanged(
            group_id=context.current.group_id,
            new_start=first.start if first else None,
            summary=f"Meets {how} from {from_date.isoformat()}",
            interval_weeks=interval_weeks,
        )
        return changed, event

    return change


def move_weekly_time(from_date: date, weekday: int | None, start_time: time | None) -> Change:
    def change(context: Context):
        _not_in_past(context, from_date)
        moved = domain.move_weekly_time(context.current, from_date, weekday=weekday, start_time=start_time)
        changed = context.with_current(*moved)
        new = changed[-1]
        first = context.next_meeting(changed[-1:], _start_of(from_date, context))
        event = MeetingChanged(
            group_id=new.group_id,
            new_start=first.start if first else None,
            summary=f"Meets on {WEEKDAY_NAMES[new.weekday]}s at {new.start_time:%H:%M} from {from_date.isoformat()}",
            interval_weeks=new.interval_weeks,
        )
        return changed, event

    return change


def pause(from_date: date) -> Change:
    def change(context: Context):
        _not_in_past(context, from_date)
        changed = context.with_current(domain.pause(context.current, from_date))
        summary = f"No meetings from {from_date.isoformat()} until further notice"
        return changed, MeetingChanged(
            group_id=context.current.group_id, summary=summary, paused_from=from_date
        )

    return change


def resume(
    from_date: date, interval_weeks: int | None, weekday: int | None, start_time: time | None
) -> Change:
    def change(context: Context):
        _not_in_past(context, from_date)
        resumed = domain.resume(
            context.current, from_date, interval_weeks=interval_weeks, weekday=weekday, start_time=start_time
        )
        changed = context.with_current(*resumed)
        first = context.next_meeting(changed[-1:], _start_of(from_date, context))
        event = MeetingChanged(
            group_id=context.current.group_id,
            new_start=first.start if first else None,
            summary=f"Meets again from {from_date.isoformat()}",
            interval_weeks=changed[-1].interval_weeks,
        )
        return changed, event

    return change


def end(on_date: date) -> Change:
    def change(context: Context):
        _not_in_past(context, on_date)
        changed = context.with_current(domain.end_series(context.current, on_date))
        summary = f"The last meeting is on or before {on_date.isoformat()}"
        return changed, MeetingChanged(group_id=context.current.group_id, summary=summary, last_day=on_date)

    return change


def cancel_occurrence(original_date: date) -> Change:
    def change(context: Context):
        index, meeting = context.meeting_on(original_date)
        segments = list(context.segments)
        segments[index] = domain.cancel_occurrence(segments[index], original_date)
        following = context.next_meeting(segments, meeting.start)
        event = MeetingCancelled(
            group_id=context.current.group_id,
            occurrence=meeting.start,
            next_meeting=following.start if following else None,
        )
        return tuple(segments), event

    return change


def move_occurrence(original_date: date, new_start: datetime) -> Change:
    def change(context: Context):
        index, meeting = context.meeting_on(original_date)
        zone = context.config.rules.zone
        local = new_start.astimezone(zone) if new_start.tzinfo else new_start.replace(tzinfo=zone)
        if local <= context.now:
            raise ChangeRefused("a meeting can only be moved to a time in the future")
        segments = list(context.segments)
        segments[index] = domain.move_occurrence(
            segments[index], original_date, local.replace(tzinfo=None), rules=context.config.rules
        )
        event = MeetingChanged(
            group_id=context.current.group_id,
            occurrence=meeting.start,
            new_start=local,
            summary=f"The meeting of {meeting.start:%Y-%m-%d %H:%M} is moved to {local:%Y-%m-%d %H:%M}",
        )
        return tuple(segments), event

    return change


def _start_of(day: date, context: Context) -> datetime:
    start = datetime.combine(day, time(0), tzinfo=context.config.rules.zone)
    return max(start, context.now) - timedelta(microseconds=1)
