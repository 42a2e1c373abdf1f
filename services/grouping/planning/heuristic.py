"""The fast method: construct, improve, repeat with a few seeded variations, then ruin and recreate."""

from __future__ import annotations

import time
from random import Random

from .classes import group_kinds
from .construct import construct
from .improve import KindIndex, improve
from .lns import ruin_and_recreate
from .pool import Draft, Pool
from .state import Assignment

# Search effort is paid out of a fixed budget of person-steps (rules.search_budget), so small pools get many
# tries and a region of tens of thousands a few; the effort depends on the input only, which keeps results
# deterministic (the wall-clock deadline is a safety net, not the normal stop).
MAX_LNS_ITERATIONS = 1000


def solve_heuristic(
    pool: Pool,
    eligible: list[bool],
    seed: int = 0,
    deadline: float | None = None,
    budget_size: int | None = None,
) -> list[Draft]:
    """`budget_size`: the number of people the effort is paid for (default: the eligible), so that
    leaving out people who cannot be in any group makes a search cheaper, not longer."""
    if sum(eligible) < pool.rules.min_size:
        return []
    size = max(sum(eligible), budget_size or 0)
    kinds = KindIndex(pool, group_kinds(pool, (i for i in range(len(pool)) if eligible[i])), eligible)
    runs = max(1, min(pool.rules.restarts, pool.rules.search_budget // (2 * size)))
    best: Assignment | None = None
    for run in range(runs):
        rng = Random(seed * 1_000_003 + run) if run else None  # run 0 is the plain smallest-first order
        free = list(eligible)
        state = Assignment(pool, construct(pool, free, rng, mix_stages=run % 2 == 1), eligible)
        improve(state, kinds, rng)
        if best is None or state.total > best.total:
            best = state
        if _past(deadline):
            break
    rng = Random(seed * 1_000_003 + runs)
    iterations = min(MAX_LNS_ITERATIONS, pool.rules.search_budget // size)
    while iterations > 0 and not _past(deadline):
        batch = min(iterations, 50)
        ruin_and_recreate(best, kinds, rng, batch)
        iterations -= batch
    improve(best, kinds, rng)
    return best.drafts()


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() > deadline
