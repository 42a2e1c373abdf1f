"""The v1 events of the flow (ARCHITECTURE.md). Bodies carry identifiers and what consumers need, no more:
the topic goes to grouping only (registration.accepted.v1); contact details go to notifications only
(participant.contact_registered.v1)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from pydantic import Field

from .decisions import GroupDecisionOpened, GroupDecisionReached, GroupMerged, GroupScheduleDecided
from .envelope import Event, EventData
from .starters import (  # noqa: F401
    STARTER_EVENTS,
    StarterAbsenceReported,
    StarterAssigned,
    StarterReleased,
    StarterRosterShared,
)
from .vocabulary import Composition, Gender, Language, MeetingFormat, Topic
from .waiting import WaitingOptions


# --- registration ------------------------------------------------------------------------------
class RegistrationAccepted(Event):
    """A person joined the waiting pool. Consumed by grouping only (it carries the topic)."""

    EVENT_TYPE = "registration.accepted.v1"
    participant_id: uuid.UUID
    district: str = Field(description="District office id covering the municipality.")
    municipality: str
    birth_date: date
    gender: Gender
    topic: Topic
    composition: Composition
    format: MeetingFormat
    availability: list[str]
    single_gender: bool
    registered_at: datetime


class FieldError(EventData):
    field: str = Field(description="Dotted path of the offending field, or `body`.")
    message: str


class RegistrationRejected(Event):
    """Answer to a submission that could not be accepted, so the sender learns why."""

    EVENT_TYPE = "registration.rejected.v1"
    submitted_event_id: uuid.UUID | None = None
    source: str | None = None
    external_ref: str | None = None
    errors: list[FieldError]


class RegistrationReceived(Event):
    """Answer to a partner system's submission that was taken: its reference and our registration id."""

    # Also for a resend of a reference taken before (the same id again). Nothing about the person, and
    # only on that partner's own reply queue.

    EVENT_TYPE = "registration.received.v1"
    registration_id: uuid.UUID = Field(description="Our id of the registration (the participant id).")
    external_ref: str | None = Field(default=None, description="The partner's own reference, as it sent it.")
    submitted_event_id: uuid.UUID | None = Field(
        default=None, description="event_id of the registration.submitted.v1 answered (AMQP)."
    )


class ParticipantContactRegistered(Event):
    """Contact details for messages. Consumed by notifications only."""

    EVENT_TYPE = "participant.contact_registered.v1"
    participant_id: uuid.UUID
    name: str
    email: str | None
    mobile: str | None
    language: Language


class ParticipantWithdrew(Event):
    EVENT_TYPE = "participant.withdrew.v1"
    participant_id: uuid.UUID


class AvailabilityChanged(Event):
    """A waiting person changed the weekly slots they can attend. Consumed by grouping (its pool)."""

    EVENT_TYPE = "registration.availability_changed.v1"
    participant_id: uuid.UUID
    availability: list[str] = Field(description="Every slot the person can attend now, e.g. `tue_evening`.")


class RegistrationChanged(Event):
    """A waiting person's registration was corrected (by them or by staff): everything grouping plans with,
    as it is now. Consumed by grouping (its pool; it plans the old and the new district). No contact."""

    EVENT_TYPE = "registration.changed.v1"
    participant_id: uuid.UUID
    district: str = Field(description="District office id covering the (possibly new) municipality.")
    municipality: str
    topic: Topic
    composition: Composition
    format: MeetingFormat
    availability: list[str] = Field(description="Every slot the person can attend now, e.g. `tue_evening`.")
    changed: list[str] = Field(
        default_factory=list, description="Which of these fields the correction changed, e.g. `municipality`."
    )


class ParticipantContactChanged(Event):
    """The person's name, contact details or language were corrected. Consumed by notifications only; unlike
    participant.contact_registered.v1 it sends no receipt."""

    EVENT_TYPE = "participant.contact_changed.v1"
    participant_id: uuid.UUID
    name: str
    email: str | None
    mobile: str | None
    language: Language


class ParticipantErased(Event):
    """GDPR art. 17: every service deletes what it holds about the person."""

    EVENT_TYPE = "participant.erased.v1"
    participant_id: uuid.UUID


class ParticipantDataDeleted(Event):
    """A service's answer to participant.erased.v1, for the erasure report."""

    EVENT_TYPE = "participant.data_deleted.v1"
    participant_id: uuid.UUID
    service: str
    rows_deleted: int


# --- grouping ----------------------------------------------------------------------------------
class GroupFormed(Event):
    EVENT_TYPE = "group.formed.v1"
    group_id: uuid.UUID
    district: str
    slot: str = Field(description="Weekly slot, e.g. `tue_evening`.")
    format: MeetingFormat = Field(description="in_person or digital.")
    members: list[uuid.UUID]
    municipalities: list[str]
    respond_by: datetime | None = Field(
        default=None, description="Deadline for answering the invitation (shown in the invitation)."
    )
    shared_slots: list[str] = Field(
        default_factory=list,
        description="Every weekly slot all members can attend (`slot` among them): the other times staff "
        "may choose when the group cannot be scheduled at `slot`. Empty from older producers.",
    )


class GroupStarted(Event):
    EVENT_TYPE = "group.started.v1"
    group_id: uuid.UUID
    members: list[uuid.UUID]


class InvitationAnswered(Event):
    """A member accepted (and confirmed the confidentiality agreement) or declined."""

    EVENT_TYPE = "group.invitation_answered.v1"
    group_id: uuid.UUID
    participant_id: uuid.UUID
    accepted: bool


class GroupDissolved(Event):
    EVENT_TYPE = "group.dissolved.v1"
    group_id: uuid.UUID
    reason: str
    members: list[uuid.UUID] = Field(
        default_factory=list, description="Who was still in the group; they return to the waiting pool."
    )


class GroupMemberJoined(Event):
    EVENT_TYPE = "group.member_joined.v1"
    group_id: uuid.UUID
    participant_id: uuid.UUID


class GroupMemberLeft(Event):
    """A member left (or declined, or did not answer in time, before the start)."""

    EVENT_TYPE = "group.member_left.v1"
    group_id: uuid.UUID
    participant_id: uuid.UUID
    before_start: bool = False
    say_goodbye: bool = Field(
        default=False,
        description="The member chose to say goodbye with their first name; otherwise the others are only "
        "told that someone has left, never who.",
    )
    back_to_pool: bool = Field(
        default=False, description="The member asked to wait for another group (back in the waiting pool)."
    )
    # The district office took them out of the proposed group and they wait in the pool again, with their
    # waiting time: they are told their invitation was withdrawn (issue 21). False for everything else,
    # a move to another group included (that one invites them).
    returned_to_pool: bool = False


class GroupBelowMinimum(Event):
    """A running group has fewer than the minimum members after someone left: the members and the
    district office are told at once, and the members are asked what the group wants to do."""

    EVENT_TYPE = "group.below_minimum.v1"
    group_id: uuid.UUID
    district: str
    members: int = Field(description="How many members the group has now.")
    member_ids: list[uuid.UUID] = Field(default_factory=list, description="Who they are.")


class GroupAdmissionRequested(Event):
    """The group asks its members to vote on admitting a newcomer; each member votes via a link."""

    EVENT_TYPE = "group.admission_requested.v1"
    group_id: uuid.UUID
    request_id: uuid.UUID
    members: list[uuid.UUID]
    vote_by: datetime
    wanted: int | None = Field(default=None, description="How many newcomers the group asks for.")
    candidates: int | None = Field(
        default=None, description="How many candidates from the waiting pool the members vote on."
    )


class GroupNewcomerInvited(Event):
    """The members voted a candidate in: the person is invited to the running group, and joins once they
    accept and confirm the confidentiality agreement (then group.member_joined.v1)."""

    EVENT_TYPE = "group.newcomer_invited.v1"
    group_id: uuid.UUID
    participant_id: uuid.UUID
    respond_by: datetime = Field(description="Deadline for answering the invitation.")


class GroupAdmissionDecided(Event):
    EVENT_TYPE = "group.admission_decided.v1"
    group_id: uuid.UUID
    request_id: uuid.UUID
    admitted: bool


class GroupEnded(Event):
    EVENT_TYPE = "group.ended.v1"
    group_id: uuid.UUID
    members: list[uuid.UUID] = Field(
        default_factory=list, description="Who was in the group when it ended (retention counts from now)."
    )


# --- calendar ----------------------------------------------------------------------------------
class MeetingScheduled(Event):
    """The weekly (or fortnightly) series of a group. Times are Europe/Oslo wall-clock."""

    EVENT_TYPE = "meeting.scheduled.v1"
    group_id: uuid.UUID
    first_meeting: datetime
    weekday: str
    start_time: time
    duration_minutes: int = 120
    interval_weeks: int = Field(default=1, ge=1, le=2)
    venue_name: str | None = None
    venue_address: str | None = None
    meeting_url: str | None = None
    starter_name: str | None = Field(default=None, description="First name of the starter (igangsetter).")
    starter_meetings: int = Field(default=3, description="The starter attends the first N meetings.")
    feed_path: str | None = Field(default=None, description="Path of the group's iCalendar feed (signed).")
    slot: str | None = Field(
        default=None,
        description="The weekly slot the group was scheduled at, e.g. `wed_evening`: staff may have chosen "
        "another one all members share. Absent from older producers.",
    )


class MeetingChanged(Event):
    EVENT_TYPE = "meeting.changed.v1"
    group_id: uuid.UUID
    occurrence: datetime | None = Field(
        default=None, description="The one changed occurrence, or none for all."
    )
    new_start: datetime | None = None
    summary: str
    interval_weeks: int | None = Field(
        default=None, ge=1, le=2, description="The frequency from the change on, when it changed the pattern."
    )
    paused_from: date | None = Field(
        default=None, description="A pause: no meetings from this day until the group meets again."
    )
    last_day: date | None = Field(default=None, description="An end: no meetings after this day.")


class MeetingCancelled(Event):
    EVENT_TYPE = "meeting.cancelled.v1"
    group_id: uuid.UUID
    occurrence: datetime
    next_meeting: datetime | None = Field(default=None, description="The group's next meeting after it.")


class MeetingAtRisk(Event):
    """So many reported absence that the meeting may not be worth holding (quorum check)."""

    EVENT_TYPE = "meeting.at_risk.v1"
    group_id: uuid.UUID
    meeting_start: datetime
    absent: int
    expected: int


class GroupSchedulingFailed(Event):
    EVENT_TYPE = "group.scheduling_failed.v1"
    group_id: uuid.UUID
    district: str
    reason: str
    reason_code: str | None = Field(
        default=None,
        description="What failed, as a code (e.g. `no_venue_open`, `no_starter`) for showing `reason` in the "
        "reader's language; absent from older producers.",
    )
    reason_params: dict[str, Any] = Field(
        default_factory=dict, description="The code's parameters, e.g. `slot`, `size`, `places`."
    )


class ReminderDue(Event):
    EVENT_TYPE = "reminder.due.v1"
    group_id: uuid.UUID
    meeting_start: datetime
    members: list[uuid.UUID]
    kind: str | None = Field(default=None, description="Which reminder, e.g. `24h` or `2h` before.")
    starter_id: uuid.UUID | None = Field(
        default=None,
        description="The starter booked for this meeting (one of the group's first), unless it said it "
        "cannot come: reminded like the members. Absent from older producers.",
    )


# --- notifications -----------------------------------------------------------------------------
class AbsenceReported(Event):
    EVENT_TYPE = "absence.reported.v1"
    group_id: uuid.UUID
    participant_id: uuid.UUID
    meeting_start: datetime


ALL_EVENTS: tuple[type[Event], ...] = (
    RegistrationAccepted,
    RegistrationRejected,
    RegistrationReceived,
    ParticipantContactRegistered,
    ParticipantWithdrew,
    AvailabilityChanged,
    RegistrationChanged,
    ParticipantContactChanged,
    ParticipantErased,
    ParticipantDataDeleted,
    GroupFormed,
    GroupStarted,
    InvitationAnswered,
    GroupBelowMinimum,
    GroupAdmissionDecided,
    MeetingAtRisk,
    GroupDissolved,
    GroupMemberJoined,
    GroupMemberLeft,
    GroupAdmissionRequested,
    GroupNewcomerInvited,
    GroupEnded,
    MeetingScheduled,
    MeetingChanged,
    MeetingCancelled,
    GroupSchedulingFailed,
    ReminderDue,
    AbsenceReported,
    GroupDecisionOpened,
    GroupDecisionReached,
    GroupScheduleDecided,
    GroupMerged,
    *STARTER_EVENTS,
    WaitingOptions,
)

__all__ = [cls.__name__ for cls in ALL_EVENTS] + ["FieldError"]
