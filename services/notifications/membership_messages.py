"""What a person is told about their own place: an invitation withdrawn, what would get them a group sooner,
a newcomer's invitation, and a group told a newcomer joins. Free of I/O, like messages.py."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from .domain import as_oslo
from .links import Links
from .messages import GROUP_SIZE_MAX, GROUP_SIZE_MIN, Context, Group, Message, _about


def waiting_options(
    participant_id: uuid.UUID, event_id: uuid.UUID, links: Links, options: list[Context]
) -> Message:
    """What would get the person a group sooner (worded per language by the templates), with the status link
    where each is one click."""
    return Message(
        "waiting_options",
        event_id,
        [participant_id],
        lambda _: {"status_url": links.status(participant_id), "options": options},
    )


def invitation_withdrawn(
    group: Group, participant_id: uuid.UUID, event_id: uuid.UUID, links: Links
) -> Message:
    """To one person the district office took out of a proposed group: nothing about the others."""
    return Message(
        "invitation_withdrawn",
        event_id,
        [participant_id],
        # No way out to offer: they are not in the group (the shared footer asks for the variable).
        lambda member: {"preferences_url": links.preferences(member), "leave_url": None},
        **_about(group),
    )


def newcomer_invitation(
    group: Group,
    participant_id: uuid.UUID,
    event_id: uuid.UUID,
    links: Links,
    *,
    next_meeting: datetime,
    respond_by: datetime,
) -> Message:
    """The members voted this person in: they join a running group from its next meeting if they accept
    (and confirm the confidentiality agreement, on the same page as a new group's members)."""
    shared = {
        **group.where(),
        "member_count": len(group.members),
        "next_meeting": as_oslo(next_meeting),
        "interval_weeks": group.interval_weeks,
        "duration_minutes": group.duration_minutes,
        "group_size_min": GROUP_SIZE_MIN,
        "group_size_max": GROUP_SIZE_MAX,
        "respond_by": as_oslo(respond_by).date(),
    }
    return Message(
        "newcomer_invitation",
        event_id,
        [participant_id],
        lambda member: {**shared, **links.invitation(member)},
        **_about(group),
    )


def newcomer_joined(
    group: Group, recipients: Sequence[uuid.UUID], event_id: uuid.UUID, links: Links, start: datetime
) -> Message:
    """The group is told a newcomer joins from `start` (never who: they meet them there)."""
    return Message(
        "newcomer_joined",
        event_id,
        recipients,
        lambda member: {
            "next_meeting": as_oslo(start),
            "preferences_url": links.preferences(member),
            "leave_url": links.leave(member),
        },
        **_about(group),
    )
