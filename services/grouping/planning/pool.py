"""A region's waiting pool in index form, and the hard rules and score on it.

Solvers work on integer indices into flat lists: checking a would-be group is the inner loop of every
method, so it must not touch Person objects or the reference tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from shared.contracts.vocabulary import SLOTS, Composition, Gender, MeetingFormat
from shared.reference import are_neighbours

from .model import Person, PlanningRules
from .rules import age_on, meeting_formats, wait_days

_FEMALE, _MALE = str(Gender.female), str(Gender.male)
_SAME, _CROSS = str(Composition.same_topic), str(Composition.cross_topic)


@dataclass
class Pool:
    people: list[Person]
    rules: PlanningRules
    as_of: date
    age: list[int] = field(default_factory=list)
    wait: list[int] = field(default_factory=list)
    value: list[int] = field(default_factory=list)  # what placing the person adds to the score
    gender: list[str] = field(default_factory=list)
    single_gender: list[bool] = field(default_factory=list)
    topic: list[str] = field(default_factory=list)
    composition: list[str] = field(default_factory=list)
    in_person_ok: list[bool] = field(default_factory=list)
    digital_ok: list[bool] = field(default_factory=list)
    slots: list[tuple[int, ...]] = field(default_factory=list)
    municipality: list[str] = field(default_factory=list)
    district: list[str] = field(default_factory=list)
    neighbours: dict[str, frozenset[str]] = field(default_factory=dict)
    # Everyone longest-waiting first (ties by index), and each person's place in that order: the searches
    # visit waiting people in this order again and again, so it is sorted once.
    by_wait: list[int] = field(default_factory=list)
    wait_rank: list[int] = field(default_factory=list)
    # Each person's place in age order (ties: longest-waiting first, then index), for the same reason.
    age_rank: list[int] = field(default_factory=list)
    # Memo tables filled by the solvers (group kinds per person, cliques per set of municipalities).
    memo: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.people)


def build_pool(
    people: Sequence[Person],
    as_of: date,
    rules: PlanningRules,
    formats: tuple[MeetingFormat, ...] = (MeetingFormat.in_person, MeetingFormat.digital),
) -> Pool:
    """Index a pool; `formats` narrows the group formats this solve may form (national digital runs apart)."""
    pool = Pool(people=list(people), rules=rules, as_of=as_of)
    weights = rules.weights
    for person in pool.people:
        accepted = set(meeting_formats(person)) & set(formats)
        pool.age.append(age_on(person.birth_date, as_of))
        pool.wait.append(wait_days(person, as_of))
        pool.value.append(
            weights.placement + weights.wait_per_day * min(pool.wait[-1], weights.wait_cap_days)
        )
        pool.gender.append(str(person.gender))
        pool.single_gender.append(person.single_gender)
        pool.topic.append(str(person.topic))
        pool.composition.append(str(person.composition))
        pool.in_person_ok.append(MeetingFormat.in_person in accepted)
        pool.digital_ok.append(MeetingFormat.digital in accepted)
        pool.slots.append(tuple(SLOTS.index(slot) for slot in person.availability))
        pool.municipality.append(person.municipality)
        pool.district.append(person.district)
    municipalities = sorted(set(pool.municipality))
    pool.neighbours = {
        a: frozenset(b for b in municipalities if _neighbours(a, b, rules.neighbour_km))
        for a in municipalities
    }
    pool.by_wait = sorted(range(len(pool)), key=lambda i: (-pool.wait[i], i))
    pool.wait_rank = _ranks(pool.by_wait)
    pool.age_rank = _ranks(sorted(range(len(pool)), key=lambda i: (pool.age[i], -pool.wait[i], i)))
    return pool


@lru_cache(maxsize=200_000)
def _neighbours(a: str, b: str, km: float) -> bool:
    # A pool is indexed at every plan (the simulation plans thousands of times): the distances are fixed.
    return are_neighbours(a, b, km)


def _ranks(order: list[int]) -> list[int]:
    """rank[i] = the place of i in order."""
    rank = [0] * len(order)
    for place, i in enumerate(order):
        rank[i] = place
    return rank


def breaks_rules(pool: Pool, members: Sequence[int], slot: int, digital: bool, complete: bool = True) -> bool:
    """True if the members cannot form a group at this slot and format.

    With complete=False the minimum size is not checked, so a group under construction can be tested.
    """
    # The innermost check of every search: written with local names and plain comparisons for speed.
    rules = pool.rules
    size = len(members)
    if size > rules.max_size or (complete and size < rules.min_size) or size == 0:
        return True
    age, slots = pool.age, pool.slots
    format_ok = pool.digital_ok if digital else pool.in_person_ok
    youngest = oldest = age[members[0]]
    for i in members:
        if not format_ok[i] or slot not in slots[i]:
            return True
        years = age[i]
        if years < youngest:
            youngest = years
        elif years > oldest:
            oldest = years
    if oldest - youngest > rules.max_age_span_years:
        return True
    topic, composition = pool.topic, pool.composition
    first_topic = topic[members[0]]
    several_topics = any(topic[i] != first_topic for i in members)
    unwanted = _SAME if several_topics else _CROSS
    # A lone cross-topic wisher in a still-growing group may yet get a second topic.
    if (several_topics or complete) and any(composition[i] == unwanted for i in members):
        return True
    single_gender = pool.single_gender
    if any(single_gender[i] for i in members):
        gender = pool.gender
        first_gender = gender[members[0]]
        if any(gender[i] != first_gender for i in members):
            return True
    if rules.lone_gender == "hard" and complete and has_lone(pool, members):
        return True
    if digital:
        if rules.digital_scope != "district":
            return False
        district = pool.district
        first_district = district[members[0]]
        return any(district[i] != first_district for i in members)
    municipality = pool.municipality
    places = {municipality[i] for i in members}
    if len(places) == 1:
        return False
    neighbours = pool.neighbours
    return any(not places <= neighbours[m] for m in places)


def could_be_grouped(pool: Pool, eligible: Sequence[bool]) -> list[bool]:
    """Who among the eligible has, at some slot and in some format, at least `min_size - 1` eligible others
    who clash with nobody's rules pairwise with them: a necessary condition for being in any group. In a
    pool grown over months most people fail it (nobody near enough shares their topic, age and time), and
    leaving them out of the search costs it nothing and saves much of its work."""
    need = pool.rules.min_size - 1
    # Who could meet where: in person by (slot, municipality), digitally by slot.
    at: dict[tuple[int, bool, str], list[int]] = {}
    for i in range(len(pool)):
        if eligible[i]:
            for slot in pool.slots[i]:
                if pool.in_person_ok[i]:
                    at.setdefault((slot, False, pool.municipality[i]), []).append(i)
                if pool.digital_ok[i]:
                    at.setdefault((slot, True, ""), []).append(i)
    possible = [False] * len(pool)
    for i in range(len(pool)):
        if eligible[i]:
            possible[i] = _has_mates(pool, i, at, need)
    return possible


def _has_mates(pool: Pool, i: int, at: dict[tuple[int, bool, str], list[int]], need: int) -> bool:
    for slot in pool.slots[i]:
        for digital, ok in ((False, pool.in_person_ok[i]), (True, pool.digital_ok[i])):
            if not ok:
                continue
            places = ("",) if digital else pool.neighbours[pool.municipality[i]]
            mates = 0
            for place in places:
                for b in at.get((slot, digital, place), ()):
                    if b != i and not clash(pool, i, b, digital):
                        mates += 1
                        if mates >= need:
                            return True
    return False


def clash(pool: Pool, a: int, b: int, digital: bool) -> bool:
    """True if two people can never be in the same group of this format, whoever else is in it.

    A quick necessary test: it lets searches skip most candidates before the full check.
    """
    if abs(pool.age[a] - pool.age[b]) > pool.rules.max_age_span_years:
        return True
    if digital:
        if pool.rules.digital_scope == "district" and pool.district[a] != pool.district[b]:
            return True
    elif pool.municipality[b] not in pool.neighbours[pool.municipality[a]]:
        return True
    if pool.gender[a] != pool.gender[b] and (pool.single_gender[a] or pool.single_gender[b]):
        return True
    return pool.topic[a] != pool.topic[b] and (pool.composition[a] == _SAME or pool.composition[b] == _SAME)


def has_lone(pool: Pool, members: Sequence[int]) -> bool:
    women = sum(1 for i in members if pool.gender[i] == _FEMALE)
    men = sum(1 for i in members if pool.gender[i] == _MALE)
    return min(women, men) == 1


def score(pool: Pool, members: Sequence[int]) -> int:
    """Placements first (each worth more than all soft terms), then waiting, gender mix, size, age span."""
    weights = pool.rules.weights
    total = 0
    women = men = 0
    chosen_single = False
    youngest = oldest = pool.age[members[0]]
    for i in members:
        total += pool.value[i]
        gender = pool.gender[i]
        women += gender == _FEMALE
        men += gender == _MALE
        chosen_single = chosen_single or pool.single_gender[i]
        youngest, oldest = min(youngest, pool.age[i]), max(oldest, pool.age[i])
    if min(women, men) == 1:
        total -= weights.lone_gender
    elif not (women and men) and not chosen_single:
        total -= weights.single_gender_by_chance
    total -= weights.per_member_off_target * abs(len(members) - pool.rules.target_size)
    if len(members) < len(weights.size_value):
        total += weights.size_value[len(members)]
    total -= weights.per_year_of_age_span * (oldest - youngest)
    return total


@dataclass
class Draft:
    """A group being planned: member indices into the pool, its slot index and format."""

    members: list[int]
    slot: int
    digital: bool
