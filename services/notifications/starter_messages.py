"""What the messages to a starter (igangsetter) and to its district office say, free of I/O: assigned to a
group's first meetings (or to one meeting in another's place), reminded before each, released with thanks,
and, for the district office, a meeting a starter cannot come to (issue 22, item 6).

A starter is a recipient like a participant: its contact row is keyed by its calendar id (commands/
starters.py). No member is named in any of them; the starter learns first names in the group itself.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from .domain import as_oslo
from .messages import Group, Message

# A district office is a recipient too: one stable id per district for its contact row and deliveries.
_OFFICE_IDS = uuid.UUID("9b0f3d4e-61c2-4c8a-a3f5-2d7e8c1b5a90")


def office_recipient(district: str) -> uuid.UUID:
    return uuid.uuid5(_OFFICE_IDS, f"district-office/{district}")


def _pages(calendar_url: str) -> dict[str, str]:
    return {"starter_url": f"{calendar_url}/starter"}


def starter_assigned(data: Any, event_id: uuid.UUID, calendar_url: str) -> Message:
    """`data`: starter.assigned.v1. The frame to convey goes with the first meetings (templates)."""
    meetings = [as_oslo(start) for start in data.meetings]
    context = {
        "meetings": meetings,
        "meeting_start": meetings[0],
        "duration_minutes": data.duration_minutes,
        "interval_weeks": data.interval_weeks,
        # A venue without an address on file prints as its name alone, never as "None".
        "venue_name": data.venue_name or "",
        "venue_address": data.venue_address or "",
        "meeting_url": data.meeting_url,
        "member_count": data.member_count,
        "replacement": data.replacement,
        "changed": data.changed,
        "calendar_feed_url": f"{calendar_url}{data.feed_path}" if data.feed_path else None,
        **_pages(calendar_url),
    }
    return Message(
        "starter_assigned",
        event_id,
        [data.starter_id],
        lambda _: context,
        group_id=data.group_id,
        district=data.district,
    )


def starter_reminder(
    group: Group, starter_id: uuid.UUID, event_id: uuid.UUID, start: datetime, calendar_url: str
) -> Message:
    context = {
        **group.where(),
        "meeting_start": as_oslo(start),
        "meeting_end": as_oslo(start) + timedelta(minutes=group.duration_minutes),
        **_pages(calendar_url),
    }
    return Message(
        "starter_reminder",
        event_id,
        [starter_id],
        lambda _: context,
        group_id=group.group_id,
        district=group.district,
    )


def starter_absence(data: Any, event_id: uuid.UUID, calendar_url: str) -> Message:
    """`data`: starter.absence_reported.v1, to the group's district office."""
    context = {
        "meeting_start": as_oslo(data.meeting_start),
        "group_ref": str(data.group_id)[:8],
        "replacements_url": f"{calendar_url}/staff/replacements",
    }
    return Message(
        "starter_absence",
        event_id,
        [office_recipient(data.district)],
        lambda _: context,
        group_id=data.group_id,
        district=data.district,
    )


def starter_released(data: Any, event_id: uuid.UUID) -> Message:
    """`data`: starter.released.v1; every starter of the group's first meetings is thanked."""
    context = {"starter_meetings": data.meetings}
    return Message(
        "starter_released",
        event_id,
        list(data.starters),
        lambda _: context,
        group_id=data.group_id,
        district=data.district,
    )


def office_group_below_minimum(data: Any, event_id: uuid.UUID, grouping_url: str) -> Message:
    """`data`: group.below_minimum.v1, to the group's district office (members are told apart)."""
    context = {
        "group_ref": str(data.group_id)[:8],
        "member_count": data.members,
        "group_url": f"{grouping_url}/staff/groups/{data.group_id}",
    }
    return Message(
        "office_group_below_minimum",
        event_id,
        [office_recipient(data.district)],
        lambda _: context,
        group_id=data.group_id,
        district=data.district,
    )
