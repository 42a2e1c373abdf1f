""" "What would it take" for a waiting person, as a code with parameters staff read in their language. Pure.

For each of the person's times: the others waiting who could sit in a group with them (same time, a format
both accept, within reach for in-person, gender wishes, within the age span). The best time tells how many
more people, of which ages, where, would make a group.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from shared.reference import are_neighbours

from .planning.model import Person, PlanningRules
from .planning.rules import age_on
from .reasons import coded, render_hint


def _formats_meet(a: Person, b: Person) -> str | None:
    """The format two people could meet in ('in_person' preferred), or None."""
    for wanted in ("in_person", "digital"):
        if a.format in (wanted, "any") and b.format in (wanted, "any"):
            return wanted
    return None


def _could_join(person: Person, other: Person, slot: str, rules: PlanningRules, as_of: date) -> bool:
    if other.participant_id == person.participant_id or slot not in other.availability:
        return False
    meet = _formats_meet(person, other)
    if meet is None:
        return False
    if meet == "in_person" and not are_neighbours(
        person.municipality, other.municipality, rules.neighbour_km
    ):
        return False
    if meet == "digital" and rules.digital_scope == "district" and other.district != person.district:
        return False
    if (person.single_gender or other.single_gender) and person.gender != other.gender:
        return False
    if age_on(other.birth_date, as_of) < rules.min_age:
        return False
    return abs(age_on(other.birth_date, as_of) - age_on(person.birth_date, as_of)) <= rules.max_age_span_years


def hint_for(person: Person, waiting: Sequence[Person], rules: PlanningRules, as_of: date) -> dict[str, Any]:
    """What would make a group for the person, as a code with parameters (`reasons.render_hint` words it)."""
    age = age_on(person.birth_date, as_of)
    if age < rules.min_age:
        return coded("hint_under_age", min_age=rules.min_age)
    if not person.availability:
        return coded("hint_no_times")
    best_slot, best = person.availability[0], []
    for slot in person.availability:
        fits = [o for o in waiting if _could_join(person, o, slot, rules, as_of)]
        if len(fits) > len(best):
            best_slot, best = slot, fits
    need = rules.min_size - 1 - len(best)
    if need <= 0:
        return coded("hint_group_possible", count=len(best), slot=best_slot)
    ages = [age, *(age_on(o.birth_date, as_of) for o in best)]
    low, high = max(rules.min_age, max(ages) - rules.max_age_span_years), min(ages) + rules.max_age_span_years
    gender = str(person.gender) if person.single_gender and str(person.gender) in ("female", "male") else ""
    return coded(
        "hint_more_people",
        need=need,
        gender=gender,
        low=low,
        high=high,
        slot=best_slot,
        format="digital" if person.format == "digital" else "in_person",
        municipality=person.municipality,
    )


def what_would_it_take(
    person: Person, waiting: Sequence[Person], rules: PlanningRules, as_of: date, language: str = "nb"
) -> str:
    """The hint in words: how many more people, of which ages, where and when would make a group."""
    return render_hint(hint_for(person, waiting, rules, as_of), language)
