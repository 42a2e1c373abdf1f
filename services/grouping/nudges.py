"""What would get a waiting person a group sooner: choices they can make themselves, each checked against who
waits now. Pure: people in, options out.

An option is offered only when, on its own, it would let the planner form a group with the person from
today's pool (the same check as the waiting reasons: `planning.explain`). So an option says nothing about
other people beyond "at least enough for a group" (three or more), and nothing about who they are. People who
can already be placed, and people under the age limit, get none.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from shared.contracts.vocabulary import SLOTS, Composition, MeetingFormat
from shared.reference import all_municipalities, are_neighbours, distance_km

from .planning.explain import explain_waiting
from .planning.model import Person, PlanningRules
from .reasons import coded

# In the order a person reads them: the smallest change first.
OPTION_CODES = ("more_times", "digital", "cross_topic", "neighbour_municipality")
MAX_SUGGESTED_TIMES = 3
# How far a "neighbouring" municipality may be, in multiples of the in-person reach: farther than the
# person's own reach (or it would not change anything), but still a reasonable trip.
NEIGHBOUR_REACH_FACTOR = 2.0


def _possible(person: Person, others: Sequence[Person], rules: PlanningRules, as_of: date) -> bool:
    return explain_waiting(person, others, rules, as_of)[0].code == "group_possible"


def _more_times(person: Person, others: Sequence[Person], rules: PlanningRules, as_of: date) -> list[str]:
    """Up to three times that would each, added alone, make a group possible (week order)."""
    missing = [slot for slot in SLOTS if slot not in person.availability]
    if not missing or not _possible(replace(person, availability=tuple(SLOTS)), others, rules, as_of):
        return []
    found = []
    for slot in missing:
        if _possible(replace(person, availability=(*person.availability, slot)), others, rules, as_of):
            found.append(slot)
            if len(found) == MAX_SUGGESTED_TIMES:
                break
    return found


def _nearby_municipalities(person: Person, rules: PlanningRules) -> Iterable[str]:
    """Municipalities of the person's district beyond their own reach but within a longer trip, nearest first."""
    limit = rules.neighbour_km * NEIGHBOUR_REACH_FACTOR
    candidates = [
        m.number
        for m in all_municipalities()
        if m.district == person.district
        and not are_neighbours(person.municipality, m.number, rules.neighbour_km)
        and distance_km(person.municipality, m.number) <= limit
    ]
    return sorted(candidates, key=lambda number: distance_km(person.municipality, number))


def options_for(
    person: Person, others: Sequence[Person], rules: PlanningRules, as_of: date
) -> list[dict[str, Any]]:
    """The options that would each let a group form with the person now, as codes with parameters."""
    others = [o for o in others if o.participant_id != person.participant_id]
    reason = explain_waiting(person, others, rules, as_of)[0].code
    if reason in ("group_possible", "under_age"):
        return []
    options = []
    times = _more_times(person, others, rules, as_of)
    if times:
        options.append(coded("more_times", slots=times))
    if person.format == MeetingFormat.in_person and _possible(
        replace(person, format=MeetingFormat.any), others, rules, as_of
    ):
        options.append(coded("digital"))
    if person.composition == Composition.same_topic and _possible(
        replace(person, composition=Composition.any), others, rules, as_of
    ):
        options.append(coded("cross_topic"))
    if person.format != MeetingFormat.digital:
        for number in _nearby_municipalities(person, rules):
            if _possible(replace(person, municipality=number), others, rules, as_of):
                options.append(coded("neighbour_municipality", municipality=number))
                break
    return options


def options_for_pool(
    waiting: Sequence[Person], rules: PlanningRules, as_of: date
) -> dict[str, list[dict[str, Any]]]:
    """Every waiting person's options (participant id → options), against the others waiting."""
    return {person.participant_id: options_for(person, waiting, rules, as_of) for person in waiting}


def take(person: Person, option: dict[str, Any]) -> Person:
    """The person's details after taking an option (what registration's status page changes when they
    click it; the simulation uses this to model people who take one)."""
    code, params = option["code"], option.get("params", {})
    if code == "more_times":
        return replace(person, availability=(*person.availability, params["slots"][0]))
    if code == "digital":
        return replace(person, format=MeetingFormat.any)
    if code == "cross_topic":
        return replace(person, composition=Composition.any)
    if code == "neighbour_municipality":
        return replace(person, municipality=params["municipality"])
    raise ValueError(f"unknown option {code!r}")
