"""Inputs, settings and outputs of group planning. Plain frozen data, no behaviour beyond validation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Literal

from shared.contracts.vocabulary import Composition, Gender, MeetingFormat, Topic
from shared.vocabulary import in_week_order, unknown_slots

_GROUP_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://selvhjelp.no/grouping/group")


@dataclass(frozen=True)
class Person:
    """Someone in the waiting pool, as grouping knows them (from registration.accepted.v1)."""

    participant_id: str
    birth_date: date
    gender: Gender
    municipality: str
    district: str
    topic: Topic
    composition: Composition
    format: MeetingFormat
    availability: tuple[str, ...]
    single_gender: bool
    registered_at: datetime

    def __post_init__(self) -> None:
        # Accept plain strings and lists from callers; store the closed vocabularies and a hashable tuple.
        object.__setattr__(self, "participant_id", str(self.participant_id))
        object.__setattr__(self, "gender", Gender(self.gender))
        object.__setattr__(self, "topic", Topic(self.topic))
        object.__setattr__(self, "composition", Composition(self.composition))
        object.__setattr__(self, "format", MeetingFormat(self.format))
        unknown = unknown_slots(self.availability)
        if unknown:
            raise ValueError(f"unknown slot(s): {', '.join(unknown)}")
        object.__setattr__(self, "availability", tuple(in_week_order(self.availability)))


@dataclass(frozen=True)
class ScoreWeights:
    """How soft goals trade against each other. One placement outweighs every other term combined."""

    placement: int = 1_000_000
    wait_per_day: int = 1
    wait_cap_days: int = 3650
    # A lone man or woman costs as much as a year of someone else's waiting: avoided unless that is the price.
    lone_gender: int = 365
    single_gender_by_chance: int = 30
    per_member_off_target: int = 20
    per_year_of_age_span: int = 2
    # Extra value of a whole group by its size (index: members; empty: none). The `lasting` policy sets
    # it so that a group is worth its expected members still there after the first weeks, which makes
    # one group of six worth more than two of four (planning/policy.py: lasting_size_value).
    size_value: tuple[int, ...] = ()


@dataclass(frozen=True)
class PlanningRules:
    min_size: int = 4
    max_size: int = 8
    target_size: int = 7
    max_age_span_years: int = 15
    min_age: int = 18
    neighbour_km: float = 45.0
    digital_scope: Literal["district", "country"] = "district"
    # "soft": a lone man or woman among the other gender is a strong penalty; "hard": never.
    lone_gender: Literal["soft", "hard"] = "soft"
    # Refilling a proposed group (after a decline, or topping it up): "hard" adds nobody who would leave a
    # man or a woman alone among the other gender (the `lasting` policy: planning/policy.py refill_rules).
    refill_lone_gender: Literal["soft", "hard"] = "soft"
    # A proposed group smaller than the target starts no earlier than its answer deadline, even when
    # everyone has answered: until then it can still take newcomers who fit (the `lasting` policy).
    start_at_deadline: bool = False
    # "auto": heuristic everywhere, plus CP-SAT (warm-started by the heuristic) on pools up to exact_max_pool.
    method: Literal["auto", "heuristic", "exact"] = "auto"
    exact_max_pool: int = 40
    # Wall-clock cap per region. The work budget below is what normally ends a run (and keeps it
    # deterministic); the cap only bites on a slow machine.
    time_limit_s: float = 120.0
    restarts: int = 6
    # Effort of the ruin-and-recreate search, in person-steps per region: a pool of n people gets about
    # search_budget / n iterations (at most 1000). Lower it for speed, raise it for small hard pools.
    search_budget: int = 60_000
    exact_deterministic_time: float = 10.0
    workers: int = 1
    weights: ScoreWeights = field(default_factory=ScoreWeights)


@dataclass(frozen=True)
class ProposedGroup:
    group_id: str
    members: tuple[str, ...]
    slot: str
    format: MeetingFormat
    topics: tuple[Topic, ...]
    municipalities: tuple[str, ...]
    district: str


@dataclass(frozen=True)
class Reason:
    """Why someone waits: a code with parameters (rendered in the reader's language by grouping's
    `reasons` module) and the same in English words (what the planner CLI and the API give)."""

    code: str
    text: str
    params: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class Waiting:
    participant_id: str
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Plan:
    groups: tuple[ProposedGroup, ...]
    waiting: tuple[Waiting, ...]
    stats: dict[str, Any]


def group_id_for(member_ids: tuple[str, ...] | list[str]) -> str:
    """The same members always give the same id, so re-planning an unchanged group is idempotent."""
    return str(uuid.uuid5(_GROUP_NAMESPACE, ",".join(sorted(member_ids))))
