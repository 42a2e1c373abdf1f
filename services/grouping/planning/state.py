"""The current set of planned groups, who is where, and an index to find the groups a person could join."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from .pool import Draft, Pool, score


class Assignment:
    def __init__(self, pool: Pool, drafts: list[Draft], eligible: list[bool]) -> None:
        self.pool = pool
        self.eligible = eligible
        self.groups: dict[int, Draft] = {}
        self.score_of: dict[int, int] = {}
        self.group_of = [-1] * len(pool)
        self._by_slot: dict[tuple[int, bool], set[int]] = defaultdict(set)
        self._next_id = 0
        for draft in drafts:
            self.add(draft)

    def add(self, draft: Draft) -> int:
        gid = self._next_id
        self._next_id += 1
        self.groups[gid] = draft
        self._by_slot[(draft.slot, draft.digital)].add(gid)
        self._place(gid, draft.members)
        return gid

    def set_members(self, gid: int, members: list[int]) -> None:
        self.replace({gid: members})

    def replace(self, changes: dict[int, list[int]]) -> None:
        """New member lists for several groups at once, so people can move between them."""
        for gid in changes:
            for i in self.groups[gid].members:
                self.group_of[i] = -1
        for gid, members in changes.items():
            self.groups[gid].members = members
            self._place(gid, members)

    def _place(self, gid: int, members: list[int]) -> None:
        for i in members:
            assert self.group_of[i] == -1, "a person would be placed twice"
            self.group_of[i] = gid
        self.score_of[gid] = score(self.pool, members)

    def total(self) -> int:
        return sum(self.score_of.values())

    def placed_count(self) -> int:
        return sum(len(d.members) for d in self.groups.values())

    def unplaced(self) -> list[int]:
        """Eligible people in no group, longest-waiting first."""
        pool = self.pool
        waiting = [i for i in range(len(pool)) if self.eligible[i] and self.group_of[i] < 0]
        return sorted(waiting, key=lambda i: (-pool.wait[i], i))

    def joinable(self, i: int, exclude: int = -1) -> Iterator[int]:
        """Groups at a slot the person can attend, in a format they accept and (in person) nearby."""
        pool = self.pool
        near = pool.neighbours[pool.municipality[i]]
        for digital, ok in ((False, pool.in_person_ok[i]), (True, pool.digital_ok[i])):
            if not ok:
                continue
            for slot in pool.slots[i]:
                for gid in sorted(self._by_slot.get((slot, digital), ())):
                    if gid != exclude and (digital or pool.municipality[self.groups[gid].members[0]] in near):
                        yield gid

    def drafts(self) -> list[Draft]:
        return [self.groups[gid] for gid in sorted(self.groups)]
