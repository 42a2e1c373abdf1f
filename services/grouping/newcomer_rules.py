"""Newcomers by the group's decision (issue #22, item 3). Pure: people, votes and dates in, decisions out.

A running group is closed: a newcomer enters only when the members decide so (DOMAIN.md, "closed group").
A member asks for a number of newcomers; the planner proposes people from the waiting pool who each keep
every hard rule with the group, longest-waiting first, a few more than wanted so the group can choose;
each member votes yes or no per candidate until the deadline; at the deadline a candidate is accepted by a
majority of yes among those who voted on them. The accepted are invited, longest-waiting first, up to the
number wanted, as long as they still fit together with the group.

What members see of a candidate is the least that lets them choose (DOMAIN.md, "Sensitive data"): an age
band and gender, the two things the frame itself asks a group to weigh (age span, mixed groups). No name,
no contact, no municipality (every candidate can reach the group's venue by the hard rules) and no topic
(every candidate fits the group's topic by the hard rules; a topic is special-category data).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from .lifecycle import fits_so_far
from .planning.model import Person, PlanningRules
from .planning.rules import age_on

AGE_BAND_YEARS = 5


def places_left(members: int, rules: PlanningRules) -> int:
    """How many newcomers a group of `members` may ask for: up to the maximum size."""
    return max(0, rules.max_size - members)


def propose_candidates(
    members: Sequence[Person],
    slot: str,
    meeting_format,
    pool: Iterable[Person],
    rules: PlanningRules,
    as_of: date,
    *,
    wanted: int,
    extra: int,
) -> list[Person]:
    """Longest-waiting people who each keep every hard rule with the group: `wanted + extra` at most.

    Each is checked with the members alone, not with the other candidates: the group chooses among them,
    and `choose_newcomers` checks the chosen ones together."""
    proposed: list[Person] = []
    for person in sorted(pool, key=lambda p: (p.registered_at, p.participant_id)):
        if len(proposed) >= wanted + extra:
            break
        if fits_so_far([*members, person], slot, meeting_format, rules, as_of):
            proposed.append(person)
    return proposed


@dataclass(frozen=True)
class Tally:
    yes: int = 0
    no: int = 0


def accepted_by_vote(tally: Tally) -> bool:
    """A majority of yes among those who voted on the candidate; nobody voting, or a tie, is no."""
    return tally.yes > tally.no


def tally_votes(votes: Iterable[tuple[int, bool]]) -> dict[int, Tally]:
    """(candidate position, yes) per cast vote → the tally per candidate."""
    tallies: dict[int, Tally] = {}
    for position, yes in votes:
        current = tallies.get(position, Tally())
        tallies[position] = Tally(current.yes + yes, current.no + (not yes))
    return tallies


def choose_newcomers(
    members: Sequence[Person],
    slot: str,
    meeting_format,
    accepted: Sequence[Person],
    rules: PlanningRules,
    as_of: date,
    *,
    places: int,
) -> list[Person]:
    """The accepted candidates to invite now: longest-waiting first, up to `places`, each still fitting
    together with the group and the ones chosen before them."""
    chosen: list[Person] = []
    for person in sorted(accepted, key=lambda p: (p.registered_at, p.participant_id)):
        if len(chosen) >= places:
            break
        if fits_so_far([*members, *chosen, person], slot, meeting_format, rules, as_of):
            chosen.append(person)
    return chosen


def age_band(birth_date: date, as_of: date) -> str:
    """The candidate's age as a five-year band, e.g. "35–39": enough to weigh the group's age span."""
    age = age_on(birth_date, as_of)
    low = age - age % AGE_BAND_YEARS
    return f"{low}–{low + AGE_BAND_YEARS - 1}"


def everyone_voted(voters: Sequence[object], candidates: int, votes: Mapping[object, int]) -> bool:
    """True when every member has voted on every candidate: nothing is left to wait for."""
    return bool(voters) and all(votes.get(voter, 0) >= candidates for voter in voters)
