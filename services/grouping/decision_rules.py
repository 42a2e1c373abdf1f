"""The rules of a group's own decisions (issue 22). Pure: votes, counts and moments in, an outcome out.

A group decides together: when it falls below the minimum (ask for newcomers, merge with another small
group, or end) and whenever a member proposes a change (every other week or weekly, a pause over a
holiday period, or to end). Each member has one vote and may change it until the deadline. The choice of
more than half of those who answered wins; a tie, or no majority, keeps things as they are; without any
answer the district office is asked to follow up. Once every member has answered nobody can change the
count any more, so the decision need not wait for the deadline.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from .planning.model import Person, PlanningRules
from .planning.rules import member_violations


class Kind(StrEnum):
    below_minimum = "below_minimum"  # choices: newcomers, merge, end
    change = "change"  # a member's proposal: yes or no
    merge = "merge"  # another small group asks to merge with this one: yes or no


class Change(StrEnum):
    frequency = "frequency"
    pause = "pause"
    end = "end"


BELOW_MINIMUM_CHOICES = ("newcomers", "merge", "end")
YES_NO = ("yes", "no")


class Result(StrEnum):
    pending = "pending"  # answers still outstanding before the deadline
    no_answer = "no_answer"  # nobody answered: the district office follows up
    kept = "kept"  # a tie or no majority: things stay as they are
    newcomers = "newcomers"
    merge = "merge"
    end = "end"
    yes = "yes"
    no = "no"


@dataclass(frozen=True)
class Vote:
    choice: str
    newcomers: int | None = None  # how many, when the choice is "newcomers"


@dataclass(frozen=True)
class Outcome:
    result: Result
    newcomers: int | None = None

    @property
    def final(self) -> bool:
        return self.result is not Result.pending


def choices(kind: Kind, *, merge_possible: bool = True) -> tuple[str, ...]:
    if kind is Kind.below_minimum:
        return tuple(c for c in BELOW_MINIMUM_CHOICES if merge_possible or c != "merge")
    return YES_NO


def deadline(opened_at: datetime, days: int) -> datetime:
    return opened_at + timedelta(days=days)


def outcome(votes: Sequence[Vote], *, members: int, deadline: datetime, now: datetime) -> Outcome:
    """The decision on the votes cast so far (one per member: the caller keeps only each one's last)."""
    if now < deadline and len(votes) < members:
        return Outcome(Result.pending)
    if not votes:
        return Outcome(Result.no_answer)
    counts = Counter(v.choice for v in votes)
    choice, count = counts.most_common(1)[0]
    if count * 2 <= len(votes):  # a tie, or no choice has more than half of those who answered
        return Outcome(Result.kept)
    if choice == "newcomers":
        return Outcome(Result.newcomers, newcomers_wanted(votes))
    return Outcome(Result(choice))


def newcomers_wanted(votes: Sequence[Vote]) -> int:
    """The number most of those voting for newcomers asked for; a tie takes the fewer, since each newcomer
    breaks the group's process a little."""
    counts = Counter(v.newcomers or 1 for v in votes if v.choice == "newcomers")
    best = max(counts.values())
    return min(n for n, c in counts.items() if c == best)


def valid_newcomers(wanted: int, members: int, rules: PlanningRules) -> bool:
    return 1 <= wanted and members + wanted <= rules.max_size


def validate_change(
    change: Change,
    *,
    today: date,
    interval_weeks: int | None = None,
    pause_from: date | None = None,
    pause_until: date | None = None,
    max_pause_days: int = 70,
) -> str | None:
    """Why a proposed change cannot be put to the vote (a message code), or None when it can."""
    if change is Change.frequency and interval_weeks not in (1, 2):
        return "frequency_invalid"
    if change is Change.pause:
        if pause_from is None or pause_until is None:
            return "pause_dates_missing"
        if pause_from < today:
            return "pause_in_past"
        if pause_until <= pause_from:
            return "pause_order"
        if (pause_until - pause_from).days > max_pause_days:
            return "pause_too_long"
    return None


@dataclass(frozen=True)
class SmallGroup:
    group_id: str
    slot: str
    format: str
    members: tuple[Person, ...]


def merge_candidates(
    group: SmallGroup, others: Sequence[SmallGroup], rules: PlanningRules, as_of: date
) -> list[SmallGroup]:
    """Other groups that could merge with `group`: below the target size, same slot and format, and the
    two together keep every hard rule (size, ages, the area people can travel within). Those that would
    make the fullest group (without passing the target) come first."""
    fitting = [
        other
        for other in others
        if other.group_id != group.group_id
        and other.slot == group.slot
        and other.format == group.format
        and len(other.members) < rules.target_size
        and not member_violations([*group.members, *other.members], group.slot, group.format, rules, as_of)
    ]
    total = len(group.members)
    return sorted(
        fitting,
        key=lambda o: (abs(rules.target_size - total - len(o.members)), o.group_id),
    )


def remaining_group(a: SmallGroup, b: SmallGroup) -> tuple[SmallGroup, SmallGroup]:
    """(the group that remains, the group whose members move): the larger stays, so fewer people change
    place; equal sizes keep the first (the one that was asked)."""
    return (b, a) if len(b.members) > len(a.members) else (a, b)
