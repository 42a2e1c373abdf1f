"""Ruin and recreate: dissolve a few groups around someone still waiting, rebuild, keep it if no worse.

The improving moves never dissolve a group, so they cannot see that one group of four may block two
others. This search can: it frees the members of up to three groups that share a kind with a waiting
person and lets the constructive heuristic regroup them together with everyone waiting nearby.
"""

from __future__ import annotations

from random import Random

from .construct import construct
from .improve import KindIndex, insert
from .state import Assignment

MAX_GROUPS_RUINED = 3


def ruin_and_recreate(state: Assignment, kinds: KindIndex, rng: Random, iterations: int) -> None:
    pool = state.pool
    # Who waits and which groups are related to them change only when a move is kept, so both are kept
    # until then: most moves are rolled back, and recomputing them was most of the search's time. Without
    # any group there is nothing to ruin (a small pool that cannot form a group yet: the common case).
    waiting: list[int] | None = None
    related_to: dict[int, list[int]] = {}
    for _ in range(iterations):
        if not state.groups:
            return
        if waiting is None:
            waiting = state.unplaced()
        if not waiting:
            return
        u = waiting[min(int(rng.expovariate(4 / len(waiting))), len(waiting) - 1)]  # favour long waits
        related = related_to.get(u)
        if related is None:
            related = related_to[u] = _related_groups(state, u, kinds)
        if not related:
            continue
        chosen = rng.sample(related, rng.randint(1, min(MAX_GROUPS_RUINED, len(related))))
        state.begin()
        before = state.total
        freed = [i for gid in chosen for i in state.remove(gid)]
        regroup = freed + _could_join(pool, [u, *freed], waiting)
        free = [False] * len(pool)
        for i in regroup:
            free[i] = True
        largest = rng.choice((pool.rules.min_size, pool.rules.min_size, pool.rules.max_size))
        drafts = construct(pool, free, rng, first=u, mix_stages=rng.random() < 0.5, largest=largest)
        new_groups = [state.add(draft) for draft in drafts]
        displaced = set(freed) | {u}
        # Whoever lost a seat may join any group; the others waiting only the new groups (the rest of the
        # groups they could not join before).
        for i in sorted(regroup, key=pool.wait_rank.__getitem__):  # longest-waiting first
            if state.group_of[i] < 0:
                insert(state, i, among=None if i in displaced else new_groups)
        if state.total >= before:
            state.commit()
            waiting, related_to = None, {}
        else:
            state.rollback()


def _related_groups(state: Assignment, u: int, kinds: KindIndex) -> list[int]:
    """Groups holding someone who could be in a group with u."""
    group_of = state.group_of
    return sorted({group_of[i] for i in kinds.could_meet_any(u) if group_of[i] >= 0})


def _could_join(pool, anchors: list[int], waiting: list[int]) -> list[int]:
    """Waiting people who might share a group with one of the anchors: a common slot, within reach, and
    within the age span of the anchors' ages."""
    span = pool.rules.max_age_span_years
    slots = {s for i in anchors for s in pool.slots[i]}
    youngest = min(pool.age[i] for i in anchors) - span
    oldest = max(pool.age[i] for i in anchors) + span
    near = set().union(*(pool.neighbours[pool.municipality[i]] for i in anchors))
    return [
        i
        for i in waiting
        if youngest <= pool.age[i] <= oldest
        and not slots.isdisjoint(pool.slots[i])
        and (pool.digital_ok[i] or pool.municipality[i] in near)
    ]
