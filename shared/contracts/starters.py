"""The calendar's events about a group's starter (igangsetter), for notifications only: it tells the starter
when assigned (also as a replacement for one meeting), the district office when a starter cannot come, and
the starter again, with thanks, once the group's first meetings are over (issue 22, item 6).

The starter's first name, e-mail and language travel to notifications only, as a participant's contact
details do (participant.contact_registered.v1); no member of the group is named, except by first name to
the calendar once the group has started (starter.roster_shared.v1, from notifications)."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from pydantic import Field

from .envelope import Event, EventData
from .vocabulary import Language


class StarterAssigned(Event):
    """A starter was booked for meetings of a group: its first meetings, or one meeting in place of the
    starter who cannot come (`replacement`)."""

    EVENT_TYPE = "starter.assigned.v1"
    group_id: uuid.UUID
    district: str
    starter_id: uuid.UUID
    first_name: str
    email: str
    language: Language = Language.nb
    meetings: list[datetime] = Field(description="The starts of the meetings the starter is booked for.")
    duration_minutes: int = 120
    weekday: str | None = Field(default=None, description="The group's weekly day, e.g. `tue`.")
    start_time: time | None = Field(default=None, description="Its weekly start (Europe/Oslo).")
    interval_weeks: int = Field(default=1, ge=1, le=2)
    venue_name: str | None = None
    venue_address: str | None = None
    meeting_url: str | None = None
    member_count: int = Field(default=0, description="How many members the group has now.")
    feed_path: str | None = Field(default=None, description="Path of the starter's iCalendar feed (signed).")
    replacement: bool = Field(default=False, description="In place of another starter, for these meetings.")
    changed: bool = Field(
        default=False,
        description="Not new: the group's schedule changed and these are the starter's meetings now.",
    )


class StarterAbsenceReported(Event):
    """A starter cannot come to one of its meetings: the district office finds a replacement."""

    EVENT_TYPE = "starter.absence_reported.v1"
    group_id: uuid.UUID
    district: str
    meeting_start: datetime


class StarterReleased(Event):
    """The group's first meetings are over: its starters leave the group to itself and are thanked."""

    EVENT_TYPE = "starter.released.v1"
    group_id: uuid.UUID
    district: str
    starters: list[uuid.UUID] = Field(description="Every starter booked for one of the first meetings.")
    meetings: int = Field(description="How many of the group's first meetings had a starter.")


class MemberFirstName(EventData):
    participant_id: uuid.UUID
    first_name: str


class StarterRosterShared(Event):
    """The group has started: its starter may now see the members' first names (issue 20's rule; before the
    start it sees how many they are). From notifications, which alone holds names, to the calendar, which
    shows them on the starter's page; only for a group with a starter."""

    EVENT_TYPE = "starter.roster_shared.v1"
    group_id: uuid.UUID
    members: list[MemberFirstName] = Field(description="The first name (first word) of each member, no more.")


STARTER_EVENTS = (StarterAssigned, StarterAbsenceReported, StarterReleased, StarterRosterShared)
