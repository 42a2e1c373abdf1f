""" "What would it take" for a waiting person, in words staff can act on. Pure.

For each of the person's times: the others waiting who could sit in a group with them (same time, a format
both accept, within reach for in-person, gender wishes, within the age span). The best time tells how many
more people, of which ages, where, would make a group.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from shared.reference import are_neighbours, get_municipality

from .planning.model import Person, PlanningRules
from .planning.rules import age_on

_DAYS = {
    "mon": "mandager",
    "tue": "tirsdager",
    "wed": "onsdager",
    "thu": "torsdager",
    "fri": "fredager",
    "sat": "lørdager",
    "sun": "søndager",
}
_PARTS = {"daytime": "på dagtid", "evening": "på kvelden"}


def slot_words(slot: str) -> str:
    day, part = slot.split("_")
    return f"{_DAYS[day]} {_PARTS[part]}"


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


def what_would_it_take(person: Person, waiting: Sequence[Person], rules: PlanningRules, as_of: date) -> str:
    age = age_on(person.birth_date, as_of)
    if age < rules.min_age:
        return f"Ingenting før personen fyller {rules.min_age}."
    if not person.availability:
        return "Personen må oppgi minst én tid som passer."
    best_slot, best = person.availability[0], []
    for slot in person.availability:
        fits = [o for o in waiting if _could_join(person, o, slot, rules, as_of)]
        if len(fits) > len(best):
            best_slot, best = slot, fits
    need = rules.min_size - 1 - len(best)
    if need <= 0:
        return (
            f"{len(best)} andre passer {slot_words(best_slot)}: en gruppe kan foreslås ved neste planlegging "
            "(eller trykk «Planlegg nå»)."
        )
    ages = [age, *(age_on(o.birth_date, as_of) for o in best)]
    low, high = max(rules.min_age, max(ages) - rules.max_age_span_years), min(ages) + rules.max_age_span_years
    place = get_municipality(person.municipality)
    where = (
        "digitalt"
        if person.format == "digital"
        else f"i eller nær {place.name if place else person.municipality}"
    )
    gender = (
        {"female": " kvinne", "male": " mann"}.get(str(person.gender), "") if person.single_gender else ""
    )
    people = "én person" if need == 1 else f"{need} personer"
    return (
        f"{people.capitalize()} til{gender} i alderen {low}–{high} som kan {slot_words(best_slot)} {where} "
        "ville gitt en gruppe."
    )
