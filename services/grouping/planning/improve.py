"""Local improvement of a plan. Every move keeps all groups valid and raises the total score.

Moves, for each person still waiting (longest-waiting first): join a group with room; take someone's
seat who can move to another group (an ejection chain); start a new group, borrowing members from
groups above the minimum size. Then new groups from who is left; then a waiting person takes a seat when
that scores better (they waited longer, or it mends the gender mix). Last, groups with a lone man or
woman try exchanging a member with a nearby group.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from random import Random

from .classes import Kind, own_kinds
from .construct import construct
from .pool import Draft, Pool, breaks_rules, has_lone, score
from .state import Assignment

MAX_ROUNDS = 4
NEAREST_CANDIDATES = 40  # how far out from a person's age to look when starting a group around them


class KindIndex:
    """Every eligible person by group kind, in age order, for finding people to start a group with."""

    def __init__(self, pool: Pool, kinds: dict[Kind, list[int]]) -> None:
        self.members = {kind: sorted(people, key=lambda i: (pool.age[i], i)) for kind, people in kinds.items()}
        self.ages = {kind: [pool.age[i] for i in people] for kind, people in self.members.items()}


def improve(state: Assignment, kinds: KindIndex, rng: Random | None = None) -> None:
    for _ in range(MAX_ROUNDS):
        before = state.total()
        for u in state.unplaced():
            if state.group_of[u] < 0:
                _insert(state, u) or _eject_chain(state, u) or _form_with_donors(state, u, kinds)
        free = [state.eligible[i] and state.group_of[i] < 0 for i in range(len(state.pool))]
        for draft in construct(state.pool, free, rng):
            state.add(draft)
        for u in state.unplaced():
            if state.group_of[u] < 0:
                _take_seat(state, u)
        _repair_lone_gender(state)
        if state.total() <= before:
            return


def _best_insert(state: Assignment, u: int, exclude: int = -1) -> tuple[int, int]:
    """(gain, group) of the best group the person can join as they are, or (0, -1)."""
    pool = state.pool
    best_gain, best_gid = 0, -1
    for gid in state.joinable(u, exclude):
        draft = state.groups[gid]
        if len(draft.members) >= pool.rules.max_size:
            continue
        grown = draft.members + [u]
        if breaks_rules(pool, grown, draft.slot, draft.digital):
            continue
        gain = score(pool, grown) - state.score_of[gid]
        if gain > best_gain:
            best_gain, best_gid = gain, gid
    return best_gain, best_gid


def _insert(state: Assignment, u: int) -> bool:
    _, gid = _best_insert(state, u)
    if gid < 0:
        return False
    state.set_members(gid, state.groups[gid].members + [u])
    return True


def _eject_chain(state: Assignment, u: int) -> bool:
    """u takes v's seat and v moves to another group: one more person placed."""
    pool = state.pool
    for gid in state.joinable(u):
        draft = state.groups[gid]
        for v in draft.members:
            swapped = [m for m in draft.members if m != v] + [u]
            if breaks_rules(pool, swapped, draft.slot, draft.digital):
                continue
            _, target = _best_insert(state, v, exclude=gid)
            if target >= 0:
                state.set_members(gid, swapped)
                state.set_members(target, state.groups[target].members + [v])
                return True
    return False


def _take_seat(state: Assignment, u: int) -> bool:
    """u replaces a member when that raises the score: u waited longer, or the swap mends the gender mix.
    The one replaced waits on (or joins another group if one has room)."""
    pool = state.pool
    best_gain, best = 0, None
    for gid in state.joinable(u):
        draft = state.groups[gid]
        for v in draft.members:
            swapped = [m for m in draft.members if m != v] + [u]
            if breaks_rules(pool, swapped, draft.slot, draft.digital):
                continue
            gain = score(pool, swapped) - state.score_of[gid]
            if gain > best_gain:
                best_gain, best = gain, (gid, swapped, v)
    if best is None:
        return False
    gid, swapped, v = best
    state.set_members(gid, swapped)
    _insert(state, v)
    return True


def _form_with_donors(state: Assignment, u: int, kinds: KindIndex) -> bool:
    pool = state.pool
    for kind in own_kinds(pool, u):
        for digital, ok in ((False, pool.in_person_ok[u]), (True, pool.digital_ok[u])):
            if ok and _form_around(state, u, kind, digital, kinds):
                return True
    return False


def _form_around(state: Assignment, u: int, kind: Kind, digital: bool, kinds: KindIndex) -> bool:
    """Start a group around u from waiting people of its kind, topped up from groups that can spare one."""
    pool, rules = state.pool, state.pool.rules
    slot = kind[0]
    free, donors = _nearby_in_age(state, u, kind, digital, kinds)
    if len(free) + len(donors) + 1 < rules.min_size:
        return False
    group = [u]
    for i in free:
        if len(group) < rules.target_size and not breaks_rules(pool, group + [i], slot, digital, complete=False):
            group.append(i)
    taken: Counter[int] = Counter()
    borrowed: set[int] = set()
    for i in donors:
        if len(group) >= rules.min_size:
            break
        gid = state.group_of[i]
        left = [m for m in state.groups[gid].members if m != i and m not in borrowed]
        draft = state.groups[gid]
        if breaks_rules(pool, left, draft.slot, draft.digital):
            continue
        if breaks_rules(pool, group + [i], slot, digital, complete=False):
            continue
        group.append(i)
        borrowed.add(i)
        taken[gid] += 1
    if breaks_rules(pool, group, slot, digital):
        return False
    shrunk = {gid: [m for m in state.groups[gid].members if m not in borrowed] for gid in taken}
    gain = score(pool, group) + sum(score(pool, left) - state.score_of[gid] for gid, left in shrunk.items())
    if gain <= 0:
        return False
    for gid, left in shrunk.items():
        state.set_members(gid, left)
    state.add(Draft(members=group, slot=slot, digital=digital))
    return True


def _nearby_in_age(state: Assignment, u: int, kind: Kind, digital: bool, kinds: KindIndex):
    """Waiting people and spare members of the kind who could meet u, nearest in age first."""
    pool, rules = state.pool, state.pool.rules
    people, ages = kinds.members[kind], kinds.ages[kind]
    format_ok = pool.digital_ok if digital else pool.in_person_ok
    near = pool.neighbours[pool.municipality[u]]
    same_district = digital and rules.digital_scope == "district"
    free: list[int] = []
    donors: list[int] = []
    below = bisect_left(ages, pool.age[u]) - 1
    above = below + 1
    while len(free) + len(donors) < 2 * NEAREST_CANDIDATES:
        gap_below = pool.age[u] - ages[below] if below >= 0 else None
        gap_above = ages[above] - pool.age[u] if above < len(people) else None
        candidates = [g for g in (gap_below, gap_above) if g is not None]
        if not candidates or min(candidates) > rules.max_age_span_years:
            break
        if gap_above is None or (gap_below is not None and gap_below <= gap_above):
            i, below = people[below], below - 1
        else:
            i, above = people[above], above + 1
        if i == u or not format_ok[i] or not state.eligible[i]:
            continue
        if (not digital and pool.municipality[i] not in near) or (
            same_district and pool.district[i] != pool.district[u]
        ):
            continue
        gid = state.group_of[i]
        if gid < 0:
            free.append(i)
        elif len(state.groups[gid].members) > rules.min_size:
            donors.append(i)
    return free, donors


def _repair_lone_gender(state: Assignment) -> None:
    """Exchange one member of a group with a lone man or woman for someone nearby, if the total improves."""
    pool = state.pool
    for gid in sorted(state.groups):
        draft = state.groups[gid]
        if not has_lone(pool, draft.members):
            continue
        for x in list(draft.members):
            if _exchange(state, gid, x):
                break


def _exchange(state: Assignment, gid: int, x: int) -> bool:
    pool = state.pool
    draft = state.groups[gid]
    rest = [m for m in draft.members if m != x]
    for other in state.joinable(x, exclude=gid):
        other_draft = state.groups[other]
        for y in other_draft.members:
            if pool.gender[y] == pool.gender[x]:
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
