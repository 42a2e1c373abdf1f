"""Local improvement of a plan. Every move keeps all groups valid and raises the total score.

Moves, for each person still waiting (longest-waiting first): join a group with room; take someone's
seat who can move to another group (an ejection chain); start a new group, borrowing members from
groups above the minimum size. Then new groups from who is left; then a waiting person takes a seat when
that scores better (they waited longer, or it mends the gender mix). Last, the polish of polish.py
(which also makes donors for the next round: a group grown above the minimum can spare a member).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from random import Random

from .classes import Kind, own_kinds
from .construct import construct
from .polish import grow_small_groups, repair_lone_gender, seats_for
from .pool import Draft, Pool, breaks_rules, score
from .state import Assignment

MAX_ROUNDS = 4
NEAREST_CANDIDATES = 40  # how far out from a person's age to look when starting a group around them


class KindIndex:
    """Every eligible person by group kind, in age order, for finding people to start a group with.

    Built for one eligible mask; every state searched with it must share that mask.
    """

    def __init__(self, pool: Pool, kinds: dict[Kind, list[int]], eligible: list[bool]) -> None:
        self.pool = pool
        self.eligible = eligible
        self.members = {
            kind: sorted(people, key=lambda i: (pool.age[i], i)) for kind, people in kinds.items()
        }
        self.ages = {kind: [pool.age[i] for i in people] for kind, people in self.members.items()}
        # Who could meet a person depends only on the pool, never on the plan: the searches ask the same
        # question hundreds of times, so each answer is kept.
        self._could_meet: dict[tuple[int, Kind, bool], list[int]] = {}
        self._chances: dict[int, list[tuple[Kind, bool]]] = {}
        self._could_meet_any: dict[int, list[int]] = {}

    def could_meet(self, u: int, kind: Kind, digital: bool) -> list[int]:
        """Eligible people of the kind who could meet u in this format, nearest in age first, at most
        2 * NEAREST_CANDIDATES of them."""
        key = (u, kind, digital)
        found = self._could_meet.get(key)
        if found is None:
            found = self._could_meet[key] = self._nearest(u, kind, digital)
        return found

    def chances(self, u: int) -> list[tuple[Kind, bool]]:
        """u's (kind, digital) pairs, in the order of u's kinds then in person before digital, where
        enough people could meet u to form a group at all (with fewer, no group can form around u,
        whoever is placed where)."""
        found = self._chances.get(u)
        if found is None:
            pool = self.pool
            formats = [d for d, ok in ((False, pool.in_person_ok[u]), (True, pool.digital_ok[u])) if ok]
            found = self._chances[u] = [
                (kind, digital)
                for kind in own_kinds(pool, u)
                for digital in formats
                if len(self.could_meet(u, kind, digital)) + 1 >= pool.rules.min_size
            ]
        return found

    def could_meet_any(self, u: int) -> list[int]:
        """Everyone could_meet returns for any of u's kinds and formats, each once."""
        found = self._could_meet_any.get(u)
        if found is None:
            pool = self.pool
            formats = [d for d, ok in ((False, pool.in_person_ok[u]), (True, pool.digital_ok[u])) if ok]
            people = {i for kind in own_kinds(pool, u) for d in formats for i in self.could_meet(u, kind, d)}
            found = self._could_meet_any[u] = sorted(people)
        return found

    def _nearest(self, u: int, kind: Kind, digital: bool) -> list[int]:
        pool, rules = self.pool, self.pool.rules
        people, ages = self.members[kind], self.ages[kind]
        format_ok = pool.digital_ok if digital else pool.in_person_ok
        near = pool.neighbours[pool.municipality[u]]
        same_district = digital and rules.digital_scope == "district"
        found: list[int] = []
        below = bisect_left(ages, pool.age[u]) - 1
        above = below + 1
        while len(found) < 2 * NEAREST_CANDIDATES:
            gap_below = pool.age[u] - ages[below] if below >= 0 else None
            gap_above = ages[above] - pool.age[u] if above < len(people) else None
            candidates = [g for g in (gap_below, gap_above) if g is not None]
            if not candidates or min(candidates) > rules.max_age_span_years:
                break
            if gap_above is None or (gap_below is not None and gap_below <= gap_above):
                i, below = people[below], below - 1
            else:
                i, above = people[above], above + 1
            if i == u or not format_ok[i] or not self.eligible[i]:
                continue
            if (not digital and pool.municipality[i] not in near) or (
                same_district and pool.district[i] != pool.district[u]
            ):
                continue
            found.append(i)
        return found


def improve(state: Assignment, kinds: KindIndex, rng: Random | None = None) -> None:
    for _ in range(MAX_ROUNDS):
        before = state.total
        for u in state.unplaced():
            if state.group_of[u] < 0:
                insert(state, u) or _eject_chain(state, u) or _form_with_donors(state, u, kinds)
        free = [state.eligible[i] and state.group_of[i] < 0 for i in range(len(state.pool))]
        for draft in construct(state.pool, free, rng):
            state.add(draft)
        for u in state.unplaced():
            if state.group_of[u] < 0:
                _take_seat(state, u)
        if state.total <= before:
            break
    repair_lone_gender(state)
    grow_small_groups(state)


def _best_insert(
    state: Assignment, u: int, exclude: int = -1, among: Iterable[int] | None = None
) -> tuple[int, int]:
    """(gain, group) of the best group the person can join as they are, or (0, -1)."""
    pool = state.pool
    groups, score_of, max_size = state.groups, state.score_of, pool.rules.max_size
    own_slots, in_person_ok, digital_ok = pool.slots[u], pool.in_person_ok[u], pool.digital_ok[u]
    best_gain, best_gid = 0, -1
    for gid in state.joinable(u, exclude) if among is None else among:
        draft = groups[gid]
        if len(draft.members) >= max_size:
            continue
        if draft.slot not in own_slots or not (digital_ok if draft.digital else in_person_ok):
            continue  # breaks_rules would say so too, after checking every member first
        grown = draft.members + [u]
        if breaks_rules(pool, grown, draft.slot, draft.digital):
            continue
        gain = score(pool, grown) - score_of[gid]
        if gain > best_gain:
            best_gain, best_gid = gain, gid
    return best_gain, best_gid


def insert(state: Assignment, u: int, among: Iterable[int] | None = None) -> bool:
    """Put a waiting person into the group with room where they add most (among some groups only)."""
    _, gid = _best_insert(state, u, among=among)
    if gid < 0:
        return False
    state.set_members(gid, state.groups[gid].members + [u])
    return True


def _eject_chain(state: Assignment, u: int) -> bool:
    """u takes v's seat and v moves to another group: one more person placed."""
    pool = state.pool
    for gid in state.joinable(u):
        draft = state.groups[gid]
        for v in seats_for(state, u, gid):
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
        for v in seats_for(state, u, gid):
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
    insert(state, v)
    return True


def _form_with_donors(state: Assignment, u: int, kinds: KindIndex) -> bool:
    return any(_form_around(state, u, kind, digital, kinds) for kind, digital in kinds.chances(u))


def _form_around(state: Assignment, u: int, kind: Kind, digital: bool, kinds: KindIndex) -> bool:
    """Start a group around u from waiting people of its kind, topped up from groups that can spare one.

    Tries every age window that holds u and keeps the best, since the nearest people in age need not
    fit together.
    """
    pool, rules = state.pool, state.pool.rules
    free, placed = nearby_in_age(state, u, kind, digital, kinds)
    donors = [i for i in placed if len(state.groups[state.group_of[i]].members) > rules.min_size]
    if len(free) + len(donors) + 1 < rules.min_size:
        return False
    age, span = pool.age, rules.max_age_span_years
    free.sort(key=lambda i: (-pool.wait[i], i))
    starts = sorted({age[i] for i in [u, *free, *donors] if age[u] - span <= age[i] <= age[u]})
    best_gain, best = 0, None
    for low in starts:
        inside = [i for i in free if low <= age[i] <= low + span]
        spare = [i for i in donors if low <= age[i] <= low + span]
        if len(inside) + len(spare) + 1 < rules.min_size:
            continue
        found = _gather(state, u, kind[0], digital, inside, spare)
        if found and found[0] > best_gain:
            best_gain, best = found
    if best is None:
        return False
    group, shrunk = best
    state.replace(shrunk)
    state.add(Draft(members=group, slot=kind[0], digital=digital))
    return True


def _gather(state: Assignment, u: int, slot: int, digital: bool, free: list[int], donors: list[int]):
    """(gain, (group, new member lists of the donor groups))) for one age window, or None."""
    pool, rules = state.pool, state.pool.rules
    group = [u]
    for i in free:
        if len(group) < rules.target_size and not breaks_rules(
            pool, group + [i], slot, digital, complete=False
        ):
            group.append(i)
    borrowed: set[int] = set()
    for i in donors:
        if len(group) >= rules.min_size:
            break
        draft = state.groups[state.group_of[i]]
        left = [m for m in draft.members if m != i and m not in borrowed]
        if breaks_rules(pool, left, draft.slot, draft.digital):
            continue
        if breaks_rules(pool, group + [i], slot, digital, complete=False):
            continue
        group.append(i)
        borrowed.add(i)
    if breaks_rules(pool, group, slot, digital):
        return None
    shrunk = {
        gid: [m for m in state.groups[gid].members if m not in borrowed]
        for gid in sorted({state.group_of[i] for i in borrowed})
    }
    gain = score(pool, group) + sum(score(pool, left) - state.score_of[gid] for gid, left in shrunk.items())
    return (gain, (group, shrunk)) if gain > 0 else None


def nearby_in_age(
    state: Assignment, u: int, kind: Kind, digital: bool, kinds: KindIndex
) -> tuple[list[int], list[int]]:
    """(waiting, placed) people of the kind who could meet u, nearest in age first."""
    group_of = state.group_of
    candidates = kinds.could_meet(u, kind, digital)
    free = [i for i in candidates if group_of[i] < 0]
    placed = [i for i in candidates if group_of[i] >= 0]
    return free, placed
