"""Group kinds: people who could all share one group apart from age and place.

A kind is (slot, topic mode, gender mode). Within a kind every pair agrees on the slot, on what topics
the group may hold and on gender, so what remains to decide is age (a line) and place.
"""

from __future__ import annotations

from collections.abc import Iterable

from shared.contracts.vocabulary import Composition

from .pool import Pool

CROSS_TOPICS = "~cross"  # topic mode of a group that mixes topics
ANY_GENDER = "*"  # gender mode of a group without a single-gender wish in it

Kind = tuple[int, str, str]


def topic_modes(pool: Pool, i: int) -> tuple[str, ...]:
    composition = pool.composition[i]
    if composition == Composition.same_topic:
        return (pool.topic[i],)
    if composition == Composition.cross_topic:
        return (CROSS_TOPICS,)
    return (pool.topic[i], CROSS_TOPICS)


def own_kinds(pool: Pool, i: int) -> list[Kind]:
    """The kinds of group a person could be in (a person without a gender wish may also fill a
    single-gender kind of their own gender; see group_kinds)."""
    return _kind_table(pool).own[i]


class _KindTable:
    """Per person: their own kinds, and the single-gender kinds they could fill (none for people who
    wish for a single-gender group themselves). Both depend only on the person, so they are made once
    per pool: grouping by kind is the first step of every constructive pass. Kinds are also numbered,
    since grouping by a small int is much cheaper than by a tuple (whose hash is not cached)."""

    def __init__(self, pool: Pool) -> None:
        self.own = [_own_kinds(pool, i) for i in range(len(pool))]
        fill = [
            [] if pool.single_gender[i] else [(slot, mode, pool.gender[i]) for slot, mode, _ in self.own[i]]
            for i in range(len(pool))
        ]
        self.kinds: list[Kind] = []
        self._number: dict[Kind, int] = {}
        self.own_numbers = [[self._numbered(kind) for kind in kinds] for kinds in self.own]
        self.fill_numbers = [[self._numbered(kind) for kind in kinds] for kinds in fill]
        self.single_gender = [kind[2] != ANY_GENDER for kind in self.kinds]

    def _numbered(self, kind: Kind) -> int:
        number = self._number.get(kind)
        if number is None:
            number = self._number[kind] = len(self.kinds)
            self.kinds.append(kind)
        return number


def _kind_table(pool: Pool) -> _KindTable:
    table = pool.memo.get("kind_table")
    if table is None:
        table = pool.memo["kind_table"] = _KindTable(pool)
    return table


def _own_kinds(pool: Pool, i: int) -> list[Kind]:
    gender_mode = pool.gender[i] if pool.single_gender[i] else ANY_GENDER
    return [(slot, mode, gender_mode) for slot in pool.slots[i] for mode in topic_modes(pool, i)]


def group_kinds(pool: Pool, people: Iterable[int], at_least: int = 0) -> dict[Kind, list[int]]:
    """Members of every kind (of kinds with at least `at_least` members). People without a gender wish
    also fill single-gender kinds of their gender, so someone who wants a women-only group can be placed
    with women who don't mind. Kinds come in the order their first member appears in `people`."""
    people = list(people)
    table = _kind_table(pool)
    own, fill = table.own_numbers, table.fill_numbers
    members: dict[int, list[int]] = {}
    for i in people:
        for kind in own[i]:
            found = members.get(kind)
            if found is None:
                members[kind] = [i]
            else:
                found.append(i)
    single_gender = table.single_gender
    single_gender_kinds = {kind for kind in members if single_gender[kind]}
    if single_gender_kinds:
        for i in people:
            for kind in fill[i]:
                if kind in single_gender_kinds:
                    members[kind].append(i)
    kinds = table.kinds
    return {kinds[kind]: found for kind, found in members.items() if len(found) >= at_least}


def maximal_cliques(pool: Pool, nodes: list[str]) -> list[tuple[str, ...]]:
    """Largest sets of municipalities that are all pairwise neighbours (Bron-Kerbosch with pivot)."""
    memo = pool.memo.setdefault("cliques", {})
    key = frozenset(nodes)
    if key not in memo:
        memo[key] = _bron_kerbosch(nodes, pool.neighbours)
    return memo[key]


def _bron_kerbosch(nodes: list[str], neighbours: dict[str, frozenset[str]]) -> list[tuple[str, ...]]:
    node_set = set(nodes)
    adjacent = {n: (neighbours[n] & node_set) - {n} for n in nodes}
    cliques: list[tuple[str, ...]] = []

    def expand(clique: set[str], candidates: set[str], excluded: set[str]) -> None:
        if not candidates and not excluded:
            cliques.append(tuple(sorted(clique)))
            return
        pivot = max(candidates | excluded, key=lambda n: (len(adjacent[n] & candidates), n))
        for node in sorted(candidates - adjacent[pivot]):
            expand(clique | {node}, candidates & adjacent[node], excluded & adjacent[node])
            candidates = candidates - {node}
            excluded = excluded | {node}

    expand(set(), set(nodes), set())
    return sorted(cliques)
