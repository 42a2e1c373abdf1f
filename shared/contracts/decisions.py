"""The v1 events of a group's own decisions (issue 22): a decision opened for the members' votes, its
outcome, the meeting schedule the group chose, and two small groups merged into one. Additive: no
earlier event changed."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from .envelope import Event


class GroupDecisionOpened(Event):
    """The members of a group are asked to decide: each gets a personal link to vote."""

    EVENT_TYPE = "group.decision_opened.v1"
    decision_id: uuid.UUID
    group_id: uuid.UUID
    kind: str = Field(
        description="below_minimum (newcomers, merge or end) | change (yes/no) | merge (yes/no)"
    )
    proposal: dict[str, str | int] = Field(
        default_factory=dict,
        description="What is put to the vote: change (frequency, pause, end), interval_weeks, from, until.",
    )
    choices: list[str]
    members: list[uuid.UUID]
    deadline: datetime


class GroupDecisionReached(Event):
    """The members decided (or the deadline passed without an answer): all members are told."""

    EVENT_TYPE = "group.decision_reached.v1"
    decision_id: uuid.UUID
    group_id: uuid.UUID
    kind: str
    proposal: dict[str, str | int] = Field(default_factory=dict)
    result: str = Field(description="newcomers | merge | end | yes | no | kept (a tie) | no_answer")
    newcomers: int | None = None
    members: list[uuid.UUID]


class GroupScheduleDecided(Event):
    """The group chose how often it meets, or a pause over a holiday period: the calendar follows."""

    EVENT_TYPE = "group.schedule_decided.v1"
    group_id: uuid.UUID
    district: str
    interval_weeks: int | None = Field(default=None, description="1 = weekly, 2 = every other week.")
    from_date: date | None = Field(default=None, description="The new frequency from this day on.")
    pause_from: date | None = None
    pause_until: date | None = Field(default=None, description="The group meets again from this day.")


class GroupMerged(Event):
    """Two small groups agreed to become one: the members of `from_group_id` moved into `into_group_id`,
    which keeps its time and place; `from_group_id` no longer meets."""

    EVENT_TYPE = "group.merged.v1"
    from_group_id: uuid.UUID
    into_group_id: uuid.UUID
    district: str
    moved: list[uuid.UUID]
    members: list[uuid.UUID] = Field(description="Everyone in the remaining group after the merge.")


DECISION_EVENTS: tuple[type[Event], ...] = (
    GroupDecisionOpened,
    GroupDecisionReached,
    GroupScheduleDecided,
    GroupMerged,
)
