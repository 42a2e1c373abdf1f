"""Whether a district's plan could change: someone who arrived or came back since the last plan is in some
allowed group of the minimum size with people waiting (policy.py and the simulation skip a search when
nobody is)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from .model import Person, PlanningRules
from .pool import breaks_rules, build_pool, clash


def newcomer_could_form_a_group(
    people: Sequence[Person], newcomers: Iterable[str], as_of: date, rules: PlanningRules
) -> bool:
    """Whether someone in `newcomers` (arrived or back in the pool since the district's last plan) is in
    some allowed group of the minimum size with people waiting. When nobody is, a new plan can form no
    group the last one did not, and a day's plan of the district can be skipped (as the service skips a
    search with `plan_after_change`; this test is exact for groups of the minimum size)."""
    new = set(newcomers)
    if not new or len(people) < rules.min_size:
        return False
    # Only people who share a time with a newcomer can be in a newcomer's group: index just those.
    times = {slot for p in people if p.participant_id in new for slot in p.availability}
    people = [p for p in people if p.participant_id in new or not times.isdisjoint(p.availability)]
    if len(people) < rules.min_size:
        return False
    pool = build_pool(people, as_of, rules)
    need = rules.min_size - 1
    for a, person in enumerate(pool.people):
        if person.participant_id not in new:
            continue
        for digital, format_ok in ((False, pool.in_person_ok), (True, pool.digital_ok)):
            if not format_ok[a]:
                continue
            for slot in pool.slots[a]:
                mates = [
                    b
                    for b in range(len(pool))
                    if b != a and format_ok[b] and slot in pool.slots[b] and not clash(pool, a, b, digital)
                ]
                if len(mates) >= need and _group_among(pool, a, mates, need, slot, digital):
                    return True
    return False


def _group_among(pool, a: int, mates: list[int], need: int, slot: int, digital: bool) -> bool:
    """Depth-first: `need` mates who, with `a`, pass the rules (partial groups checked as they grow)."""

    def extend(chosen: list[int], start: int) -> bool:
        if len(chosen) == need + 1:
            return not breaks_rules(pool, chosen, slot, digital)
        for k in range(start, len(mates)):
            b = mates[k]
            if any(clash(pool, b, c, digital) for c in chosen[1:]):
                continue
            if breaks_rules(pool, [*chosen, b], slot, digital, complete=False):
                continue
            if extend([*chosen, b], k + 1):
                return True
        return False

    return extend([a], 0)
