"""Polish of a plan that changes who meets whom but not who is placed: mend groups with a lone man or
woman, and grow groups below the target size. Every change raises the total score."""

from __future__ import annotations

from .pool import breaks_rules, clash, has_lone, score
from .state import Assignment

EXCHANGE_CANDIDATES = 40  # nearby groups at the same time to try per group


def seats_for(state: Assignment, u: int, gid: int) -> list[int]:
    """Members whose seat u might take: if u clashes with one member, only that one; with more, none."""
    draft = state.groups[gid]
    clashing = [m for m in draft.members if clash(state.pool, u, m, draft.digital)]
    return clashing if len(clashing) == 1 else [] if clashing else draft.members


def repair_lone_gender(state: Assignment) -> None:
    """Exchange one member of a group with a lone man or woman for someone of the other gender from a
    nearby group at the same time, if the total improves."""
    pool = state.pool
    for gid in sorted(state.groups):
        draft = state.groups[gid]
        if not has_lone(pool, draft.members):
            continue
        for x in list(draft.members):
            if _exchange(state, gid, x):
                break


def _exchange(state: Assignment, gid: int, x: int) -> bool:
    """x moves to another group and someone of another gender from there takes x's seat."""
    pool = state.pool
    draft = state.groups[gid]
    rest = [m for m in draft.members if m != x]
    looked = 0
    for other in state.same_slot(gid):
        if looked == EXCHANGE_CANDIDATES:
            break
        other_draft = state.groups[other]
        if (
            not draft.digital
            and pool.municipality[other_draft.members[0]] not in pool.neighbours[pool.municipality[x]]
        ):
            continue
        looked += 1
        for y in seats_for(state, x, other):
            if pool.gender[y] == pool.gender[x] or any(clash(pool, y, m, draft.digital) for m in rest):
                continue
            mine, theirs = rest + [y], [m for m in other_draft.members if m != y] + [x]
            if breaks_rules(pool, mine, draft.slot, draft.digital) or breaks_rules(
                pool, theirs, other_draft.slot, other_draft.digital
            ):
                continue
            gain = score(pool, mine) + score(pool, theirs) - state.score_of[gid] - state.score_of[other]
            if gain > 0:
                state.replace({gid: mine, other: theirs})
                return True
    return False


def grow_small_groups(state: Assignment) -> None:
    """Bring groups under the target size closer to it without changing who is placed: merge two small
    groups, or take a member from a nearby group at the same time that can spare one."""
    rules = state.pool.rules
    for gid in sorted(state.groups):
        if gid not in state.groups or len(state.groups[gid].members) >= rules.target_size:
            continue
        for other in _nearby_same_slot(state, gid):
            if _merge(state, gid, other) or _pull_one(state, gid, other):
                if gid not in state.groups or len(state.groups[gid].members) >= rules.target_size:
                    break


def _nearby_same_slot(state: Assignment, gid: int) -> list[int]:
    """Groups at the same time and format, near enough in place and age to share a member."""
    pool, span = state.pool, state.pool.rules.max_age_span_years
    draft = state.groups[gid]
    near = pool.neighbours[pool.municipality[draft.members[0]]]
    ages = [pool.age[i] for i in draft.members]
    low, high = max(ages) - span, min(ages) + span
    found = []
    for other in state.same_slot(gid):
        members = state.groups[other].members
        if not draft.digital and pool.municipality[members[0]] not in near:
            continue
        if any(low <= pool.age[i] <= high for i in members):
            found.append(other)
            if len(found) == EXCHANGE_CANDIDATES:
                break
    return found


def _merge(state: Assignment, gid: int, other: int) -> bool:
    pool = state.pool
    draft, other_draft = state.groups[gid], state.groups.get(other)
    if other_draft is None or len(draft.members) + len(other_draft.members) > pool.rules.max_size:
        return False
    merged = draft.members + other_draft.members
    if breaks_rules(pool, merged, draft.slot, draft.digital):
        return False
    if score(pool, merged) <= state.score_of[gid] + state.score_of[other]:
        return False
    state.remove(other)
    state.set_members(gid, merged)
    return True


def _pull_one(state: Assignment, gid: int, other: int) -> bool:
    pool = state.pool
    draft, other_draft = state.groups[gid], state.groups.get(other)
    if other_draft is None or len(other_draft.members) <= pool.rules.min_size:
        return False
    for v in other_draft.members:
        if any(clash(pool, v, m, draft.digital) for m in draft.members):
            continue
        grown, shrunk = draft.members + [v], [m for m in other_draft.members if m != v]
        if breaks_rules(pool, grown, draft.slot, draft.digital) or breaks_rules(
            pool, shrunk, other_draft.slot, other_draft.digital
        ):
            continue
        if score(pool, grown) + score(pool, shrunk) > state.score_of[gid] + state.score_of[other]:
            state.replace({gid: grown, other: shrunk})
            return True
    return False
