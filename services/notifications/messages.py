"""What each message says, free of I/O: from this service's view of a group and the event at hand to a
`Message` (type, recipients, and the template variables per recipient).

The recipient's name is not here: it is added when the message is rendered, just before sending, so a
queued delivery holds no more personal data than it must.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from .domain import as_oslo, next_occurrence, respond_by
from .links import Links

# The frame (DOMAIN.md): 4 to 8 members, told to every invited person.
GROUP_SIZE_MIN = 4
GROUP_SIZE_MAX = 8

Context = dict[str, Any]


@dataclass(frozen=True)
class Message:
    message_type: str
    source_event_id: uuid.UUID
    recipients: Sequence[uuid.UUID]
    context: Callable[[uuid.UUID], Context]
    group_id: uuid.UUID | None = None
    district: str | None = None
    subject_id: uuid.UUID | None = None
    """The person the message is about, when not the recipient (erasing them deletes the delivery)."""
    due_at: datetime | None = None


@dataclass(frozen=True)
class Group:
    """This service's copy of a group: grouping's membership and calendar's series."""

    group_id: uuid.UUID
    state: str = "unknown"
    district: str | None = None
    respond_by: datetime | None = None
    first_meeting: datetime | None = None
    interval_weeks: int = 1
    duration_minutes: int = 120
    venue_name: str | None = None
    venue_address: str | None = None
    meeting_url: str | None = None
    starter_name: str | None = None
    starter_meetings: int = 3
    paused_from: date | None = None
    last_day: date | None = None
    members: tuple[uuid.UUID, ...] = field(default_factory=tuple)
    """Members still in the group (invited or active), in a stable order."""

    @property
    def scheduled(self) -> bool:
        return self.first_meeting is not None

    def next_meeting(self, after: datetime) -> datetime | None:
        """The series' next meeting, or None when it has none (not scheduled, paused or ended then)."""
        if self.first_meeting is None:
            return None
        found = next_occurrence(self.first_meeting, self.interval_weeks, after)
        day = as_oslo(found).date()
        if (self.paused_from and day >= self.paused_from) or (self.last_day and day > self.last_day):
            return None
        return found

    def meeting_end(self, start: datetime) -> datetime:
        return as_oslo(start) + timedelta(minutes=self.duration_minutes)

    def where(self) -> Context:
        return {
            "venue_name": self.venue_name,
            "venue_address": self.venue_address,
            "meeting_url": self.meeting_url,
        }


def _about(group: Group, **kwargs: Any) -> dict[str, Any]:
    return {"group_id": group.group_id, "district": group.district, **kwargs}


def registration_received(participant_id: uuid.UUID, event_id: uuid.UUID, links: Links) -> Message:
    return Message(
        "registration_received",
        event_id,
        [participant_id],
        lambda _: {"status_url": links.status(participant_id)},
    )


def group_invitation(
    group: Group,
    recipients: Sequence[uuid.UUID],
    event_id: uuid.UUID,
    links: Links,
    *,
    today: date,
    answer_days: int,
) -> Message:
    assert group.first_meeting is not None, "an invitation needs the schedule"
    deadline = (
        as_oslo(group.respond_by).date()
        if group.respond_by
        else respond_by(today, group.first_meeting, answer_days)
    )
    shared = {
        **group.where(),
        "member_count": len(group.members),
        "starter_name": group.starter_name,
        "starter_meetings": group.starter_meetings,
        "first_meeting": as_oslo(group.first_meeting),
        "interval_weeks": group.interval_weeks,
        "duration_minutes": group.duration_minutes,
        "group_size_min": GROUP_SIZE_MIN,
        "group_size_max": GROUP_SIZE_MAX,
        "respond_by": deadline,
    }
    return Message(
        "group_invitation",
        event_id,
        recipients,
        lambda member: {**shared, **links.invitation(member)},
        **_about(group),
    )


def group_started(group: Group, event_id: uuid.UUID, links: Links, *, now: datetime) -> list[Message]:
    """Two messages: the group is ready (optional) and the first meeting's details (essential)."""
    first = group.next_meeting(now)
    assert first is not None, "the start is announced once the schedule is known"
    ready = Message(
        "group_started",
        event_id,
        group.members,
        lambda member: {
            "member_count": len(group.members),
            "first_meeting": first,
            "preferences_url": links.preferences(member),
            "leave_url": links.leave(member),
            **links.calendar(member),
        },
        **_about(group),
    )
    return [ready, first_meeting(group, group.members, event_id, links, first)]


def first_meeting(
    group: Group, recipients: Sequence[uuid.UUID], event_id: uuid.UUID, links: Links, start: datetime
) -> Message:
    shared = {
        **group.where(),
        "meeting_start": as_oslo(start),
        "meeting_end": group.meeting_end(start),
        "starter_name": group.starter_name,
        "starter_meetings": group.starter_meetings,
    }
    return Message(
        "first_meeting",
        event_id,
        recipients,
        lambda member: {
            **shared,
            "absence_url": links.absence(member, start),
            "leave_url": links.leave(member),
            **links.calendar(member),
        },
        **_about(group),
    )


def schedule_changed(
    group: Group,
    event_id: uuid.UUID,
    links: Links,
    *,
    occurrence: datetime | None = None,
    new_start: datetime | None = None,
    paused_from: date | None = None,
    last_day: date | None = None,
) -> Message:
    """One meeting moved (`occurrence` → `new_start`), a new regular time from `new_start`, a pause from
    `paused_from`, or an end after `last_day`: one of the four."""
    shared = {
        **group.where(),
        "occurrence": as_oslo(occurrence) if occurrence else None,
        "new_start": as_oslo(new_start) if new_start else None,
        "interval_weeks": group.interval_weeks,
        "paused_from": paused_from,
        "last_day": last_day,
    }
    return Message(
        "schedule_changed",
        event_id,
        group.members,
        # No meeting to miss after a pause or an end, so no absence link.
        lambda member: {
            **shared,
            "absence_url": links.absence(member, new_start) if new_start else None,
            "leave_url": links.leave(member),
        },
        **_about(group),
    )


def meeting_cancelled(
    group: Group, event_id: uuid.UUID, occurrence: datetime, next_meeting: datetime | None
) -> Message:
    """`next_meeting`: the calendar's (it knows moved, cancelled and holiday meetings; this copy does not)."""
    following = as_oslo(next_meeting) if next_meeting and group.state != "ended" else None
    context = {"meeting_start": as_oslo(occurrence), "next_meeting": following}
    return Message("meeting_cancelled", event_id, group.members, lambda _: context, **_about(group))


def meeting_reminder(
    group: Group, recipients: Sequence[uuid.UUID], event_id: uuid.UUID, links: Links, start: datetime
) -> Message:
    shared = {**group.where(), "meeting_start": as_oslo(start), "meeting_end": group.meeting_end(start)}
    return Message(
        "meeting_reminder",
        event_id,
        recipients,
        lambda member: {
            **shared,
            "absence_url": links.absence(member, start),
            "preferences_url": links.preferences(member),
            "leave_url": links.leave(member),
        },
        **_about(group),
    )


def absence_notice(
    group: Group, recipients: Sequence[uuid.UUID], event_id: uuid.UUID, absent: uuid.UUID, start: datetime
) -> Message:
    # The absent person's name is looked up when sending (and the delivery goes if they are erased).
    context = {"meeting_start": as_oslo(start)}
    return Message(
        "absence_notice", event_id, recipients, lambda _: context, subject_id=absent, **_about(group)
    )


def meeting_at_risk(
    group: Group,
    recipients: Sequence[uuid.UUID],
    event_id: uuid.UUID,
    links: Links,
    *,
    start: datetime,
    absent: int,
    expected: int,
) -> Message:
    shared = {"meeting_start": as_oslo(start), "absent_count": absent, "expected_count": expected}
    return Message(
        "meeting_at_risk",
        event_id,
        recipients,
        lambda member: {
            **shared,
            "absence_url": links.absence(member, start),
            "preferences_url": links.preferences(member),
            "leave_url": links.leave(member),
        },
        **_about(group),
    )


def admission_vote_request(
    group: Group,
    voters: Sequence[uuid.UUID],
    event_id: uuid.UUID,
    links: Links,
    *,
    request_id: uuid.UUID,
    vote_by: datetime,
    wanted: int | None = None,
    candidates: int | None = None,
) -> Message:
    shared = {
        "member_count": len(voters),
        "vote_by": as_oslo(vote_by),
        "wanted": wanted,
        "candidate_count": candidates,
    }
    return Message(
        "admission_vote_request",
        event_id,
        voters,
        lambda member: {
            **shared,
            **links.admission_votes(member, request_id),
            "preferences_url": links.preferences(member),
            "leave_url": links.leave(member),
        },
        **_about(group),
    )


def member_left(
    group: Group,
    recipients: Sequence[uuid.UUID],
    event_id: uuid.UUID,
    links: Links,
    *,
    leaver: uuid.UUID,
    named: bool,
) -> Message:
    """The others are told someone has left; who only when the leaver chose to say goodbye with their first
    name (then the name is looked up when sending, and erasing the leaver deletes the delivery)."""
    return Message(
        "member_left",
        event_id,
        recipients,
        lambda member: {
            "named": named,
            "member_count": len(recipients),
            "preferences_url": links.preferences(member),
            "leave_url": links.leave(member),
        },
        subject_id=leaver if named else None,
        **_about(group),
    )


def group_below_minimum(
    group: Group, recipients: Sequence[uuid.UUID], event_id: uuid.UUID, links: Links, *, members: int
) -> Message:
    """Fewer than four: the members hear it at once; the group will be asked what it wants to do."""
    shared = {"member_count": members, "group_size_min": GROUP_SIZE_MIN}
    return Message(
        "group_below_minimum",
        event_id,
        recipients,
        lambda member: {
            **shared,
            "preferences_url": links.preferences(member),
            "leave_url": links.leave(member),
            **links.calendar(member),
        },
        **_about(group),
    )


def group_ended(group: Group, event_id: uuid.UUID, links: Links) -> Message:
    return Message(
        "group_ended",
        event_id,
        group.members,
        lambda member: {"register_url": links.register(), "preferences_url": links.preferences(member)},
        **_about(group),
    )


def erasure_confirmed(
    participant_id: uuid.UUID, event_id: uuid.UUID, links: Links, erased_at: datetime
) -> Message:
    context = {"erased_at": as_oslo(erased_at), "register_url": links.register()}
    return Message("erasure_confirmed", event_id, [participant_id], lambda _: context)
