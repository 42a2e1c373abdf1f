"""Ruin and recreate: dissolve a few groups around someone still waiting, rebuild, keep it if no worse.

The improving moves never dissolve a group, so they cannot see that one group of four may block two
others. This search can: it frees the members of up to three groups that share a kind with a waiting
person and lets the constructive heuristic regroup them together with everyone waiting nearby.
"""

from __future__ import annotations

from random import Random

from .classes import own_kinds
from .construct import construct
from .improve import KindIndex, insert, nearby_in_age
from .state import Assignment

MAX_GROUPS_RUINED = 3


def ruin_and_recreate(state: Assignment, kinds: KindIndex, rng: Random, iterations: int) -> None:
    pool = state.pool
    for _ in range(iterations):
        waiting = state.unplaced()
        if not waiting:
            return
        u = waiting[min(int(rng.expovariate(4 / len(waiting))), len(waiting) - 1)]  # favour long waits
        related = _related_groups(state, u, kinds)
        if not related:
            continue
        chosen = rng.sample(related, rng.randint(1, min(MAX_GROUPS_RUINED, len(related))))
        state.begin()
        before = state.total
        freed = [i for gid in chosen for i in state.remove(gid)]
        slots = {s for i in [u, *freed] for s in pool.slots[i]}
        regroup = freed + [i for i in waiting if not slots.isdisjoint(pool.slots[i])]
        free = [False] * len(pool)
        for i in regroup:
            free[i] = True
        largest = rng.choice((pool.rules.min_size, pool.rules.min_size, pool.rules.max_size))
        for draft in construct(pool, free, rng, first=u, mix_stages=rng.random() < 0.5, largest=largest):
            state.add(draft)
        for i in sorted(regroup, key=lambda i: (-pool.wait[i], i)):
            if state.group_of[i] < 0:
                insert(state, i)
        if state.total >= before:
            state.commit()
        else:
            state.rollback()


def _related_groups(state: Assignment, u: int, kinds: KindIndex) -> list[int]:
    """Groups holding someone who could be in a group with u."""
    pool = state.pool
    found: set[int] = set()
    for kind in own_kinds(pool, u):
        for digital, ok in ((False, pool.in_person_ok[u]), (True, pool.digital_ok[u])):
            if ok:
                _, placed = nearby_in_age(state, u, kind, digital, kinds)
                found.update(state.group_of[i] for i in placed)
    return sorted(found)
