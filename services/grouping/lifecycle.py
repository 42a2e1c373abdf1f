"""Rules of a group's life after the planner proposed it. Pure: counts and dates in, decisions out.

A proposed group invites its members; each accepts (confirming the confidentiality agreement) or
declines. Once started the group is closed: nobody is added unless the members vote a newcomer in.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .planning.model import Person, PlanningRules
from .planning.rules import has_lone_gender, member_violations


class StartDecision(StrEnum):
    start = "start"  # enough accepted and nobody left to hear from
    wait = "wait"  # answers still outstanding
    backfill = "backfill"  # too few can still come: invite people from the pool
    dissolve = "dissolve"  # too few and nobody fits: members return to the pool


@dataclass(frozen=True)
class Answers:
    accepted: int
    pending: int
    declined: int


def decide_start(
    answers: Answers, rules: PlanningRules, *, backfill_possible: bool, before_deadline: bool = False
) -> StartDecision:
    """`before_deadline`: the group's answer deadline (its forming plus the invitation days) is still
    ahead; with `rules.start_at_deadline` a group below the target waits for it, open to newcomers."""
    could_come = answers.accepted + answers.pending
    if could_come < rules.min_size:
        return StartDecision.backfill if backfill_possible else StartDecision.dissolve
    if answers.pending:
        return StartDecision.wait
    if rules.start_at_deadline and before_deadline and could_come < rules.target_size:
        return StartDecision.wait
    return StartDecision.start


def fits_so_far(
    members: Sequence[Person], slot: str, meeting_format, rules: PlanningRules, as_of: date
) -> bool:
    """The hard rules, except that a group being refilled may still be below the minimum size."""
    problems = member_violations(members, slot, meeting_format, rules, as_of)
    return all(problem.startswith("size ") and len(members) < rules.min_size for problem in problems)


def backfill_candidates(
    members: Sequence[Person],
    slot: str,
    meeting_format,
    pool: Iterable[Person],
    rules: PlanningRules,
    as_of: date,
    places: int,
) -> list[Person]:
    """Longest-waiting people from the pool who keep the group within the rules, at most `places`. With
    `rules.refill_lone_gender == "hard"` nobody is added who leaves a man or a woman alone among the
    other gender (so a group left with one man after a decline is refilled with a man first)."""
    chosen: list[Person] = []
    for candidate in sorted(pool, key=lambda p: (p.registered_at, p.participant_id)):
        if len(chosen) >= places:
            break
        grown = [*members, *chosen, candidate]
        if rules.refill_lone_gender == "hard" and has_lone_gender(p.gender for p in grown):
            continue
        if fits_so_far(grown, slot, meeting_format, rules, as_of):
            chosen.append(candidate)
    return chosen
