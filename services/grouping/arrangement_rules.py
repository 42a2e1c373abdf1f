"""The hard rules of a group as codes with parameters, for staff arranging groups by hand. Pure.

`planning.rules.member_violations` states the same rules in English words for the planner and its checks;
a staff member refused an arrangement needs to read why in their own language, and must not see
participant ids. So this states each rule once more, as a code per broken rule (counting the people who
break it), and `tests/unit/test_arrangement_rules.py` checks the two agree on every group.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from shared.contracts.vocabulary import Composition, MeetingFormat
from shared.reference import are_neighbours

from .planning.model import Person, PlanningRules
from .planning.rules import age_on, has_lone_gender, meeting_formats


def breach(code: str, **params: Any) -> dict[str, Any]:
    return {"code": code, "params": params}


def rule_breaches(
    members: Sequence[Person],
    slot: str,
    meeting_format: MeetingFormat | str,
    rules: PlanningRules,
    as_of: date,
    *,
    below_minimum_allowed: bool = False,
) -> list[dict[str, Any]]:
    """Every hard rule the would-be group breaks, as codes; empty when it is allowed. A group that
    only shrank below the minimum (`below_minimum_allowed`) is for the caller to handle: the existing
    rules refill it from the pool or dissolve it."""
    found: list[dict[str, Any]] = []
    size = len(members)
    if size > rules.max_size:
        found.append(breach("too_many", count=size, max_size=rules.max_size))
    if size < rules.min_size and not below_minimum_allowed:
        found.append(breach("too_few", count=size, min_size=rules.min_size))
    if not members:
        return found
    ids = [p.participant_id for p in members]
    if len(set(ids)) != len(ids):
        found.append(breach("twice"))
    ages = [age_on(p.birth_date, as_of) for p in members]
    under = sum(age < rules.min_age for age in ages)
    if under:
        found.append(breach("under_age", count=under, min_age=rules.min_age))
    if max(ages) - min(ages) > rules.max_age_span_years:
        found.append(breach("age_span", span=max(ages) - min(ages), max_span=rules.max_age_span_years))
    unavailable = sum(slot not in p.availability for p in members)
    if unavailable:
        found.append(breach("not_available", count=unavailable, slot=slot))
    found += _format_breaches(members, MeetingFormat(meeting_format), rules)
    topics = {p.topic for p in members}
    same = sum(p.composition == Composition.same_topic for p in members) if len(topics) > 1 else 0
    cross = sum(p.composition == Composition.cross_topic for p in members) if len(topics) < 2 else 0
    if same:
        found.append(breach("wants_same_topic", count=same))
    if cross:
        found.append(breach("wants_cross_topic", count=cross))
    single = sum(p.single_gender for p in members) if len({p.gender for p in members}) > 1 else 0
    if single:
        found.append(breach("wants_single_gender", count=single))
    if rules.lone_gender == "hard" and has_lone_gender(p.gender for p in members):
        found.append(breach("lone_gender"))
    return found


def _format_breaches(
    members: Sequence[Person], meeting_format: MeetingFormat, rules: PlanningRules
) -> list[dict[str, Any]]:
    if meeting_format not in (MeetingFormat.in_person, MeetingFormat.digital):
        return [breach("no_format")]
    found = []
    refusing = sum(meeting_format not in meeting_formats(p) for p in members)
    if refusing:
        found.append(breach("format_refused", count=refusing, format=str(meeting_format)))
    if meeting_format == MeetingFormat.in_person:
        places = sorted({p.municipality for p in members})
        far = [
            (a, b)
            for i, a in enumerate(places)
            for b in places[i + 1 :]
            if not are_neighbours(a, b, rules.neighbour_km)
        ]
        if far:
            found.append(breach("too_far", first=far[0][0], second=far[0][1]))
    elif rules.digital_scope == "district" and len({p.district for p in members}) > 1:
        found.append(breach("digital_districts"))
    return found


def shared_slots(members: Sequence[Person]) -> list[str]:
    """The weekly slots every member can attend, in a stable order."""
    if not members:
        return []
    common = set(members[0].availability)
    for person in members[1:]:
        common &= set(person.availability)
    return sorted(common)
