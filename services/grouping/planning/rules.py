"""The rules of a group stated once, on Person objects: used to check any proposed group.

The solvers use a faster, index-based form of the same rules (pool.py); tests and the bench check every
group they produce against this independent statement.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from shared.contracts.vocabulary import Composition, Gender, MeetingFormat
from shared.reference import are_neighbours

from .model import Person, PlanningRules, ProposedGroup


def age_on(birth_date: date, day: date) -> int:
    """Age in completed years on a day."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def wait_days(person: Person, as_of: date) -> int:
    return max(0, (as_of - person.registered_at.date()).days)


def meeting_formats(person: Person) -> tuple[MeetingFormat, ...]:
    """The group formats a person accepts ("any" accepts both)."""
    if person.format == MeetingFormat.any:
        return (MeetingFormat.in_person, MeetingFormat.digital)
    return (person.format,)


def has_lone_gender(genders: Iterable[str]) -> bool:
    """Exactly one man among women, or exactly one woman among men."""
    counts = Counter(genders)
    women, men = counts[Gender.female], counts[Gender.male]
    return min(women, men) == 1


def member_violations(
    members: Sequence[Person], slot: str, meeting_format: MeetingFormat, rules: PlanningRules, as_of: date
) -> list[str]:
    """Every hard rule a would-be group breaks, in words; empty when the group is allowed."""
    problems: list[str] = []
    if not rules.min_size <= len(members) <= rules.max_size:
        problems.append(f"size {len(members)} is outside {rules.min_size}-{rules.max_size}")
    if not members:
        return problems
    ids = [p.participant_id for p in members]
    if len(set(ids)) != len(ids):
        problems.append("a person appears twice in the group")
    ages = {p.participant_id: age_on(p.birth_date, as_of) for p in members}
    problems += [f"{pid} is {age}, under {rules.min_age}" for pid, age in ages.items() if age < rules.min_age]
    if max(ages.values()) - min(ages.values()) > rules.max_age_span_years:
        problems.append(
            f"age span {max(ages.values()) - min(ages.values())} > {rules.max_age_span_years} years"
        )
    problems += [f"{p.participant_id} is not available {slot}" for p in members if slot not in p.availability]
    problems += _format_violations(members, meeting_format, rules)
    problems += _composition_violations(members)
    genders = {p.gender for p in members}
    if len(genders) > 1:
        problems += [f"{p.participant_id} wants a single-gender group" for p in members if p.single_gender]
    if rules.lone_gender == "hard" and has_lone_gender(p.gender for p in members):
        problems.append("a lone man or woman among the other gender")
    return problems


def _format_violations(
    members: Sequence[Person], meeting_format: MeetingFormat, rules: PlanningRules
) -> list[str]:
    if meeting_format not in (MeetingFormat.in_person, MeetingFormat.digital):
        return [f"group format must be in_person or digital, not {meeting_format}"]
    problems = [
        f"{p.participant_id} does not accept a {meeting_format} group"
        for p in members
        if meeting_format not in meeting_formats(p)
    ]
    if meeting_format == MeetingFormat.in_person:
        municipalities = sorted({p.municipality for p in members})
        problems += [
            f"{a} and {b} are not neighbouring municipalities"
            for i, a in enumerate(municipalities)
            for b in municipalities[i + 1 :]
            if not are_neighbours(a, b, rules.neighbour_km)
        ]
    elif rules.digital_scope == "district" and len({p.district for p in members}) > 1:
        problems.append("a digital group spans more than one district")
    return problems


def _composition_violations(members: Sequence[Person]) -> list[str]:
    topics = {p.topic for p in members}
    problems = []
    for p in members:
        if p.composition == Composition.same_topic and len(topics) > 1:
            problems.append(f"{p.participant_id} wants a same-topic group")
        if p.composition == Composition.cross_topic and len(topics) < 2:
            problems.append(f"{p.participant_id} wants a cross-topic group")
    return problems


def validate_group(
    group: ProposedGroup, people: Mapping[str, Person] | Iterable[Person], rules: PlanningRules, as_of: date
) -> list[str]:
    """Violations of the hard rules by one proposed group (empty list: the group is valid)."""
    by_id = people if isinstance(people, Mapping) else {p.participant_id: p for p in people}
    missing = [pid for pid in group.members if pid not in by_id]
    if missing:
        return [f"unknown participant(s): {', '.join(missing)}"]
    members = [by_id[pid] for pid in group.members]
    problems = member_violations(members, group.slot, group.format, rules, as_of)
    if set(group.topics) != {p.topic for p in members}:
        problems.append("topics do not match the members")
    if set(group.municipalities) != {p.municipality for p in members}:
        problems.append("municipalities do not match the members")
    if rules.digital_scope == "district" or group.format == MeetingFormat.in_person:
        problems += [
            f"{p.participant_id} is not in district {group.district}"
            for p in members
            if p.district != group.district
        ]
    return problems


def validate_groups(
    groups: Iterable[ProposedGroup],
    people: Mapping[str, Person] | Iterable[Person],
    rules: PlanningRules,
    as_of: date,
) -> list[str]:
    """Violations of every group, plus anyone placed in more than one group."""
    by_id = people if isinstance(people, Mapping) else {p.participant_id: p for p in people}
    problems: list[str] = []
    seen: Counter[str] = Counter()
    for group in groups:
        problems += [
            f"group {group.group_id}: {problem}" for problem in validate_group(group, by_id, rules, as_of)
        ]
        seen.update(group.members)
    problems += [f"{pid} is placed in {n} groups" for pid, n in sorted(seen.items()) if n > 1]
    return problems
