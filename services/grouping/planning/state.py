"""The current set of planned groups, who is where, and an index to find the groups a person could join.

Changes can be journalled and rolled back, so a search can try a bold move and undo it cheaply.
"""

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
        self.total = 0
        # Group ids per (slot, digital), ascending: ids only grow, so appending keeps the order.
        self._by_slot: dict[tuple[int, bool], list[int]] = defaultdict(list)
        self._next_id = 0
        self._journal: list[tuple] | None = None
        for draft in drafts:
            self.add(draft)

    # --- changes -------------------------------------------------------------------------------
    def add(self, draft: Draft) -> int:
        gid = self._next_id
        self._next_id += 1
        self._insert(gid, draft)
        self._record(("added", gid))
        return gid

    def remove(self, gid: int) -> list[int]:
        """Dissolve a group; returns its former members."""
        self._unplace(gid)
        draft = self.groups.pop(gid)
        self._by_slot[(draft.slot, draft.digital)].remove(gid)
        self._record(("removed", gid, draft))
        return draft.members

    def set_members(self, gid: int, members: list[int]) -> None:
        self.replace({gid: members})

    def replace(self, changes: dict[int, list[int]]) -> None:
        """New member lists for several groups at once, so people can move between them."""
        for gid in changes:
            self._record(("changed", gid, self.groups[gid].members))
            self._unplace(gid)
        for gid, members in changes.items():
            self.groups[gid].members = members
            self._place(gid, members)

    # --- journal -------------------------------------------------------------------------------
    def begin(self) -> None:
        self._journal = []

    def commit(self) -> None:
        self._journal = None

    def rollback(self) -> None:
        journal, self._journal = self._journal or [], None
        for entry in reversed(journal):
            if entry[0] == "added":
                self.remove(entry[1])
            elif entry[0] == "removed":
                self._insert(entry[1], entry[2])
            else:
                _, gid, members = entry
                self._unplace(gid)
                self.groups[gid].members = members
                self._place(gid, members)

    # --- queries -------------------------------------------------------------------------------
    def placed_count(self) -> int:
        return sum(len(d.members) for d in self.groups.values())

    def unplaced(self) -> list[int]:
        """Eligible people in no group, longest-waiting first."""
        eligible, group_of = self.eligible, self.group_of
        return [i for i in self.pool.by_wait if eligible[i] and group_of[i] < 0]

    def joinable(self, i: int, exclude: int = -1) -> Iterator[int]:
        """Groups at a slot the person can attend, in a format they accept and (in person) nearby."""
        pool = self.pool
        municipality = pool.municipality
        near = pool.neighbours[municipality[i]]
        groups, by_slot = self.groups, self._by_slot
        for digital, ok in ((False, pool.in_person_ok[i]), (True, pool.digital_ok[i])):
            if not ok:
                continue
            for slot in pool.slots[i]:
                for gid in by_slot.get((slot, digital), ()):
                    if gid != exclude and (digital or municipality[groups[gid].members[0]] in near):
                        yield gid

    def same_slot(self, gid: int) -> list[int]:
        """Other groups meeting at the same slot in the same format."""
        draft = self.groups[gid]
        return [other for other in self._by_slot[(draft.slot, draft.digital)] if other != gid]

    def drafts(self) -> list[Draft]:
        return [Draft(list(d.members), d.slot, d.digital) for _, d in sorted(self.groups.items())]

    # --- internals -----------------------------------------------------------------------------
    def _record(self, entry: tuple) -> None:
        if self._journal is not None:
            self._journal.append(entry)

    def _insert(self, gid: int, draft: Draft) -> None:
        self.groups[gid] = draft
        bucket = self._by_slot[(draft.slot, draft.digital)]
        bucket.append(gid)
        if len(bucket) > 1 and bucket[-2] > gid:  # a rolled-back removal comes back in its old place
            bucket.sort()
        self._place(gid, draft.members)

    def _place(self, gid: int, members: list[int]) -> None:
        for i in members:
            assert self.group_of[i] == -1, "a person would be placed twice"
            self.group_of[i] = gid
        self.score_of[gid] = score(self.pool, members)
        self.total += self.score_of[gid]

    def _unplace(self, gid: int) -> None:
        for i in self.groups[gid].members:
            self.group_of[i] = -1
        self.total -= self.score_of.pop(gid, 0)
