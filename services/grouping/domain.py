"""Grouping's domain: the rules of a group and the planner that forms groups from the waiting pool.

Pure: no I/O, no clock (the start date is an argument), deterministic for a given input and seed.
The pieces live in services/grouping/planning/; this module is the surface the service and tools use.
"""

from __future__ import annotations

from .planning.explain import explain_waiting
from .planning.model import (
    Person,
    Plan,
    PlanningRules,
    ProposedGroup,
    Reason,
    ScoreWeights,
    Waiting,
    group_id_for,
)
from .planning.plan import plan, plan_after_change
from .planning.rules import age_on, validate_group, validate_groups

__all__ = [
    "Person",
    "Plan",
    "PlanningRules",
    "ProposedGroup",
    "Reason",
    "ScoreWeights",
    "Waiting",
    "age_on",
    "explain_waiting",
    "group_id_for",
    "plan",
    "plan_after_change",
    "validate_group",
    "validate_groups",
]
