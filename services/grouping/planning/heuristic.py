"""The fast method: construct, improve, repeat with a few seeded variations, keep the best."""

from __future__ import annotations

import time
from random import Random

from .classes import group_kinds
from .construct import construct
from .improve import KindIndex, improve
from .pool import Draft, Pool
from .state import Assignment

# Restarts are paid for out of a fixed budget of person-runs, so small pools get several tries and a
# region of tens of thousands gets one; the count depends on the input only, which keeps results
# deterministic (the wall-clock deadline is a safety net, not the normal stop).
RESTART_BUDGET = 30_000


def solve_heuristic(pool: Pool, eligible: list[bool], seed: int = 0, deadline: float | None = None) -> list[Draft]:
    size = sum(eligible)
    if size < pool.rules.min_size:
        return []
    kinds = KindIndex(pool, group_kinds(pool, (i for i in range(len(pool)) if eligible[i])))
    runs = max(1, min(pool.rules.restarts, RESTART_BUDGET // size))
    best: Assignment | None = None
    for run in range(runs):
        rng = Random(seed * 1_000_003 + run) if run else None  # run 0 is the plain smallest-first order
        free = list(eligible)
        state = Assignment(pool, construct(pool, free, rng), eligible)
        improve(state, kinds, rng)
        if best is None or state.total() > best.total():
            best = state
        if deadline is not None and time.monotonic() > deadline:
            break
    return best.drafts()
