"""Why someone is still waiting, in words staff can pass on.

For each meeting format the person accepts, narrow the pool step by step (within reach, a shared time,
topic wishes, gender wishes, age) and report the first step that leaves fewer than the group minimum.
If every step passes in the whole pool but not among those still waiting, the others were placed first.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Sequence
from datetime import date

from shared.contracts.vocabulary import SLOTS, Composition
from shared.reference import get_municipality
from shared.vocabulary import WEEKDAY_NAMES

from .classes import topic_modes
from .model import Person, PlanningRules, Reason
from .pool import Pool, build_pool

_DAYS = WEEKDAY_NAMES["en"]
# Who the person is compared with, by the formats they accept (a code in the reason's parameters).
_WHERE = {
    "nearby": "nearby",
    "digital": "open to a digital group",
    "either": "nearby or open to a digital group",
}


def _people(count: int) -> str:
    return "no one else" if count == 0 else "1 other person" if count == 1 else f"{count} other people"


def slot_words(slot: int) -> str:
    day, part = SLOTS[slot].split("_")
    return f"{_DAYS[day]} {part}"


class Explainer:
    """Reasons for people in one pool; `candidates` marks who counts as a possible group-mate."""

    def __init__(self, pool: Pool, candidates: list[bool]) -> None:
        self.pool = pool
        self.by_place: dict[str, list[int]] = defaultdict(list)
        self.by_district: dict[str, list[int]] = defaultdict(list)
        for i in range(len(pool)):
            if candidates[i] and pool.age[i] >= pool.rules.min_age:
                self.by_place[pool.municipality[i]].append(i)
                self.by_district[pool.district[i]].append(i)
        self.count = sum(len(people) for people in self.by_place.values())
        self._topic_modes = [frozenset(topic_modes(pool, i)) for i in range(len(pool))]
        self._reachable: dict[tuple[bool, str], list[int]] = {}

    def reasons(self, i: int, waiting: list[bool] | None = None) -> tuple[Reason, ...]:
        pool, rules = self.pool, self.pool.rules
        if pool.age[i] < rules.min_age:
            return (
                Reason(
                    "under_age",
                    f"Under {rules.min_age} on {pool.as_of.isoformat()} (age {pool.age[i]}); "
                    "groups are for adults.",
                    {"min_age": rules.min_age, "as_of": pool.as_of.isoformat(), "age": pool.age[i]},
                ),
            )
        others = self.count - 1
        if others + 1 < rules.min_size:
            return (
                Reason(
                    "pool_too_small",
                    f"Only {max(others, 0) + 1} people are waiting in this region, you included; "
                    f"a group needs at least {rules.min_size}.",
                    {"count": max(others, 0) + 1, "min_size": rules.min_size},
                ),
            )
        formats = [d for d, ok in ((False, pool.in_person_ok[i]), (True, pool.digital_ok[i])) if ok]
        found = sorted(((*self._funnel(i, digital), digital) for digital in formats), key=lambda r: -r[0])
        if not found:
            return (Reason("no_format", "No meeting format is open to this person in this planning run."),)
        if found[0][1].code == "ok":
            return (self._left_over(i, formats, waiting),)
        if len(found) == 2 and found[0][1].code == found[1][1].code:
            # Both formats fail at the same step: say it once, for both.
            return (self._funnel(i, found[0][2], where="either")[1],)
        return tuple(reason for _, reason, _ in found)

    def _left_over(self, i: int, formats: list[bool], waiting: list[bool] | None) -> Reason:
        if waiting is None:
            return Reason(
                "group_possible",
                "Enough people who fit with you are waiting; a group can be proposed "
                "in the next planning run.",
            )
        if any(self._funnel(i, d, only=waiting)[1].code == "ok" for d in formats):
            return Reason(
                "no_valid_combination",
                f"Enough people fit with you one by one, but no group of {self.pool.rules.min_size} "
                "meets every rule at once (for example the distances between their municipalities, "
                "or a mix of topic wishes).",
                {"min_size": self.pool.rules.min_size},
            )
        return Reason(
            "placed_elsewhere",
            "People who could form a group with you were placed in other groups this round (those "
            "who have waited longest go first); you keep your place in the queue.",
        )

    def _funnel(
        self, i: int, digital: bool, only: list[bool] | None = None, where: str | None = None
    ) -> tuple[int, Reason]:
        """(how far the person got, reason) for one format."""
        pool, rules = self.pool, self.pool.rules
        need = rules.min_size - 1
        where_code = where or ("digital" if digital else "nearby")
        where = _WHERE[where_code]
        reach = self._reach(i, digital, only)
        if len(reach) < need:
            return 0, self._too_few_in_reach(i, digital, len(reach))
        per_slot = {s: [j for j in reach if s in pool.slots[j]] for s in pool.slots[i]}
        best_slot = max(per_slot, key=lambda s: (len(per_slot[s]), -s)) if per_slot else None
        if best_slot is None or len(per_slot[best_slot]) < need:
            times = ", ".join(slot_words(s) for s in pool.slots[i]) or "none given"
            best = (
                f"; the best time, {slot_words(best_slot)}, suits {_people(len(per_slot[best_slot]))}"
                if best_slot is not None
                else ""
            )
            return 1, Reason(
                "no_common_slot",
                f"Fewer than {rules.min_size} people {where} share one of your times ({times}){best}.",
                {
                    "min_size": rules.min_size,
                    "where": where_code,
                    "slots": [SLOTS[s] for s in pool.slots[i]],
                    "best_slot": SLOTS[best_slot] if best_slot is not None else None,
                    "best_count": len(per_slot[best_slot]) if best_slot is not None else 0,
                },
            )
        topical = {s: [j for j in people if self._topics_fit(i, j)] for s, people in per_slot.items()}
        if max(len(p) for p in topical.values()) < need:
            return 2, self._topic_reason(i, where_code)
        gendered = {s: [j for j in people if self._genders_fit(i, j)] for s, people in topical.items()}
        if max(len(p) for p in gendered.values()) < need:
            if pool.single_gender[i]:
                return 3, Reason(
                    "single_gender_too_few",
                    f"Fewer than {rules.min_size} people of your gender {where} share a time and "
                    "topic wish with you for a single-gender group.",
                    {"min_size": rules.min_size, "where": where_code},
                )
            return 3, Reason(
                "others_want_single_gender",
                f"The people {where} who share a time and topic wish with you want a group of "
                "their own gender only.",
                {"where": where_code},
            )
        if max(self._age_window(i, p) for p in gendered.values()) < need:
            return 4, Reason(
                "age_span",
                f"Fewer than {rules.min_size} people {where} who share a time and "
                f"topic wish with you are within {rules.max_age_span_years} years of "
                "your age.",
                {"min_size": rules.min_size, "where": where_code, "span": rules.max_age_span_years},
            )
        return 5, Reason("ok", "")

    def _reach(self, i: int, digital: bool, only: list[bool] | None) -> list[int]:
        return [j for j in self._within_reach(i, digital) if j != i and (only is None or only[j])]

    def _within_reach(self, i: int, digital: bool) -> list[int]:
        """Everyone (the person included) who could meet them in the format: the same for everyone in one
        municipality (in person) or district (digital), so it is kept per place."""
        pool = self.pool
        by_district = pool.rules.digital_scope == "district"
        key = (digital, (pool.district[i] if by_district else "") if digital else pool.municipality[i])
        people = self._reachable.get(key)
        if people is not None:
            return people
        if digital:
            scope = (
                self.by_district[pool.district[i]]
                if by_district
                else [j for people in self.by_district.values() for j in people]
            )
            people = [j for j in scope if pool.digital_ok[j]]
        else:
            near = pool.neighbours[pool.municipality[i]]
            people = [j for m in sorted(near) for j in self.by_place.get(m, ()) if pool.in_person_ok[j]]
        self._reachable[key] = people
        return people

    def _too_few_in_reach(self, i: int, digital: bool, count: int) -> Reason:
        pool, rules = self.pool, self.pool.rules
        if digital:
            scope = "your district" if rules.digital_scope == "district" else "the country"
            return Reason(
                "too_few_digital",
                f"Fewer than {rules.min_size} people in {scope} are open to a "
                f"digital group (besides you, {_people(count)}).",
                {"min_size": rules.min_size, "scope": rules.digital_scope, "count": count},
            )
        place = get_municipality(pool.municipality[i])
        name = place.name if place else pool.municipality[i]
        return Reason(
            "too_few_nearby",
            f"Fewer than {rules.min_size} people who want to meet in person live in "
            f"or near {name} (within about {rules.neighbour_km:g} km; besides you, {_people(count)}).",
            {
                "min_size": rules.min_size,
                "municipality": pool.municipality[i],
                "km": rules.neighbour_km,
                "count": count,
            },
        )

    def _topics_fit(self, i: int, j: int) -> bool:
        return not self._topic_modes[i].isdisjoint(self._topic_modes[j])

    def _topic_reason(self, i: int, where_code: str) -> Reason:
        pool, need = self.pool, self.pool.rules.min_size
        where = _WHERE[where_code]
        topic = pool.topic[i].replace("_", " ")  # the vocabulary value, e.g. "chronic illness", "other"
        if pool.composition[i] == Composition.same_topic:
            return Reason(
                "same_topic_too_few",
                f"Fewer than {need} people {where} who share a time with you "
                f"want a same-topic group on your topic ({topic}).",
                {"min_size": need, "where": where_code, "topic": str(pool.topic[i])},
            )
        if pool.composition[i] == Composition.cross_topic:
            return Reason(
                "cross_topic_too_few",
                f"Fewer than {need} people {where} who share a time with you want a group across topics.",
                {"min_size": need, "where": where_code},
            )
        return Reason(
            "topic_too_few",
            f"Fewer than {need} people {where} who share a time with you fit your topic wishes.",
            {"min_size": need, "where": where_code},
        )

    def _genders_fit(self, i: int, j: int) -> bool:
        pool = self.pool
        if pool.gender[i] == pool.gender[j]:
            return True
        return not pool.single_gender[i] and not pool.single_gender[j]

    def _age_window(self, i: int, people: list[int]) -> int:
        """Most others that fit one age window containing the person."""
        pool, span = self.pool, self.pool.rules.max_age_span_years
        ages = sorted(pool.age[j] for j in people)
        return max(
            bisect_right(ages, start + span) - bisect_left(ages, start)
            for start in range(pool.age[i] - span, pool.age[i] + 1)
        )


def explain_waiting(
    person: Person, pool: Sequence[Person], rules: PlanningRules, as_of: date
) -> tuple[Reason, ...]:
    """Why this person cannot be placed with the given pool of other waiting people (may include them)."""
    others = [p for p in pool if p.participant_id != person.participant_id]
    indexed = build_pool([person, *others], as_of, rules)
    return Explainer(indexed, [True] * len(indexed)).reasons(0)
