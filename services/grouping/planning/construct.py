"""Constructive heuristic: carve groups kind by kind, by an exact dynamic programme over age order.

Work items go from the most to the least local: one municipality, then neighbouring municipalities, then
digital; within a stage the smallest go first, because people with rare wishes have the fewest other
chances. Searches can shuffle that order (seeded), interleave the stages, and put one person's kinds
first to ask for a group around them.
"""

from __future__ import annotations

import math
from collections import defaultdict
from itertools import compress
from random import Random

from shared.contracts.vocabulary import Composition

from .classes import ANY_GENDER, CROSS_TOPICS, Kind, group_kinds, maximal_cliques, own_kinds
from .pool import Draft, Pool, breaks_rules, has_lone, score

LOCAL, NEARBY, DIGITAL = 0, 1, 2


def construct(
    pool: Pool,
    free: list[bool],
    rng: Random | None = None,
    first: int | None = None,
    mix_stages: bool = False,
    largest: int | None = None,
) -> list[Draft]:
    """Groups formed from the people marked free (marks them taken).

    rng shuffles the order a little; first=person puts that person's kinds first; mix_stages lets a
    small digital kind go before a large local one; largest caps the size of the groups carved (small
    groups leave more people for other kinds; the improving moves fill them up afterwards).
    """
    largest = largest or pool.rules.max_size
    favoured = set(own_kinds(pool, first)) if first is not None else set()
    items = _work_items(pool, free)

    spread = rng.choice((0.25, 1.0, 3.0)) if rng else 0.0  # from a light shuffle to almost random

    def order(item: tuple) -> tuple:
        stage, kind, where, members = item
        noise = math.exp(rng.gauss(0.0, spread)) if rng else 1.0
        return (kind not in favoured, 0 if mix_stages else stage, len(members) * noise, stage, kind, where)

    drafts: list[Draft] = []
    for stage, kind, _, members in sorted(items, key=order):
        if stage == NEARBY:
            drafts += _carve_nearby(pool, kind, members, free, largest)
        else:
            drafts += _carve(pool, kind, members, free, stage == DIGITAL, largest)
    return drafts


def _work_items(pool: Pool, free: list[bool]) -> list[tuple[int, Kind, str, list[int]]]:
    """(stage, kind, where, members) of every kind and place with enough free people for a group.

    The order of the list matters: the seeded ordering draws one random number per item in this order.
    """
    smallest = pool.rules.min_size
    in_person_ok, digital_ok = pool.in_person_ok, pool.digital_ok
    municipality, district = pool.municipality, pool.district
    digital_by_district = pool.rules.digital_scope == "district"
    items: list[tuple[int, Kind, str, list[int]]] = []
    local: dict[tuple[Kind, str], list[int]] = defaultdict(list)
    for kind, members in group_kinds(pool, compress(range(len(free)), free), at_least=smallest).items():
        in_person = [i for i in members if in_person_ok[i]]
        # With fewer than a group in person, no one municipality of the kind has enough either.
        if len(in_person) >= smallest:
            for i in in_person:
                local[(kind, municipality[i])].append(i)
            items.append((NEARBY, kind, "", in_person))
        digital = [i for i in members if digital_ok[i]]
        if len(digital) < smallest:
            continue
        if not digital_by_district:
            items.append((DIGITAL, kind, "", digital))
            continue
        by_scope: dict[str, list[int]] = defaultdict(list)
        for i in digital:
            by_scope[district[i]].append(i)
        items += [
            (DIGITAL, kind, scope, people) for scope, people in by_scope.items() if len(people) >= smallest
        ]
    items += [
        (LOCAL, kind, place, people) for (kind, place), people in local.items() if len(people) >= smallest
    ]
    return items


def _carve_nearby(pool: Pool, kind: Kind, members: list[int], free: list[bool], largest: int) -> list[Draft]:
    left = [i for i in members if free[i]]
    places = sorted({pool.municipality[i] for i in left})
    if len(left) < pool.rules.min_size or len(places) < 2:
        return []
    count: dict[str, int] = defaultdict(int)
    for i in left:
        count[pool.municipality[i]] += 1
    cliques = [c for c in maximal_cliques(pool, places) if len(c) > 1]
    cliques.sort(key=lambda c: (-sum(count[m] for m in c), c))
    drafts: list[Draft] = []
    for clique in cliques:
        inside = set(clique)
        drafts += _carve(
            pool, kind, [i for i in left if pool.municipality[i] in inside], free, False, largest
        )
    return drafts


def _carve(
    pool: Pool, kind: Kind, members: list[int], free: list[bool], digital: bool, largest: int
) -> list[Draft]:
    candidates = [i for i in members if free[i]]
    if len(candidates) < pool.rules.min_size:
        return []
    drafts = []
    for block in partition_by_age(pool, kind, candidates, largest):
        if breaks_rules(pool, block, kind[0], digital):
            continue  # kind and stage guarantee the rest; this guard keeps a slip from making a bad group
        for i in block:
            free[i] = False
        drafts.append(Draft(members=block, slot=kind[0], digital=digital))
    return drafts


def partition_by_age(
    pool: Pool, kind: Kind, candidates: list[int], largest: int | None = None
) -> list[list[int]]:
    """The best-scoring split of one kind's candidates into groups of consecutive ages (some left out).

    Exact for a single kind: if two groups interleave in age, exchanging members sorts them without
    widening either span, so groups of consecutive people in age order lose nothing.
    """
    rules = pool.rules
    age = pool.age
    order = sorted(candidates, key=pool.age_rank.__getitem__)  # by age, then longest-waiting first
    cross = kind[1] == CROSS_TOPICS
    need_single = kind[2] != ANY_GENDER
    best = [0] * (len(order) + 1)
    take = [0] * (len(order) + 1)
    smallest, largest, span = rules.min_size, largest or rules.max_size, rules.max_age_span_years
    for end in range(1, len(order) + 1):
        best[end], take[end] = best[end - 1], 0
        oldest = age[order[end - 1]]
        for size in range(smallest, min(largest, end) + 1):
            start = end - size
            if oldest - age[order[start]] > span:
                break
            block = order[start:end]
            if not _block_allowed(pool, block, cross, need_single):
                continue
            value = best[start] + score(pool, block)
            if value > best[end]:
                best[end], take[end] = value, size
    blocks = []
    end = len(order)
    while end > 0:
        if take[end]:
            blocks.append(order[end - take[end] : end])
            end -= take[end]
        else:
            end -= 1
    return blocks[::-1]


def _block_allowed(pool: Pool, block: list[int], cross: bool, need_single: bool) -> bool:
    if (
        cross
        and len({pool.topic[i] for i in block}) == 1
        and any(pool.composition[i] == Composition.cross_topic for i in block)
    ):
        return False
    if need_single and not any(pool.single_gender[i] for i in block):
        return False  # without a single-gender wish the group belongs to the any-gender kind
    return not (pool.rules.lone_gender == "hard" and has_lone(pool, block))
