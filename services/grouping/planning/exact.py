"""Exact method: one CP-SAT model of the whole problem for a small pool.

Used on small pools (alone or to polish the heuristic's plan, which it gets as a hint) and by the bench
as the reference the heuristic is measured against. Same hard rules and score as everywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from shared.contracts.vocabulary import Composition, Gender

from .classes import CROSS_TOPICS
from .pool import Draft, Pool, breaks_rules

EXACT_POOL_CAP = 300  # beyond this the model grows too big to help within seconds


@dataclass(frozen=True)
class ExactResult:
    drafts: list[Draft]
    optimal: bool
    objective: int
    bound: int


def solve_exact(
    pool: Pool,
    eligible: list[bool],
    time_limit_s: float,
    hint: list[Draft] | None = None,
    seed: int = 0,
    workers: int = 1,
    deterministic_time: float | None = None,
) -> ExactResult | None:
    """Best plan found within the limits, or None if the solver found nothing (hint included)."""
    people = [i for i in range(len(pool)) if eligible[i]]
    if len(people) < pool.rules.min_size:
        return ExactResult([], True, 0, 0)
    model = _Model(pool, people)
    if hint:
        model.add_hint(hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.1, time_limit_s)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if deterministic_time is not None:
        solver.parameters.max_deterministic_time = deterministic_time
    status = solver.solve(model.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    drafts = model.extract(solver)
    if any(breaks_rules(pool, d.members, d.slot, d.digital) for d in drafts):
        raise AssertionError("the exact model produced a group that breaks a rule")
    return ExactResult(
        drafts, status == cp_model.OPTIMAL, round(solver.objective_value), round(solver.best_objective_bound)
    )


class _Model:
    def __init__(self, pool: Pool, people: list[int]) -> None:
        self.pool, self.people = pool, people
        rules = pool.rules
        m = self.model = cp_model.CpModel()
        n = len(people)
        groups = range(n // rules.min_size)
        self.groups = groups
        # Symmetry: groups are numbered by their first member, so person p can only be in groups 0..p.
        self.x = [{g: m.new_bool_var(f"x{p}_{g}") for g in groups if g <= p} for p in range(n)]
        self.active = [m.new_bool_var(f"active{g}") for g in groups]
        self.digital = [m.new_bool_var(f"digital{g}") for g in groups]
        slots = sorted({s for i in people for s in pool.slots[i]})
        self.slot = [{s: m.new_bool_var(f"slot{g}_{s}") for s in slots} for g in groups]
        topics = sorted({pool.topic[i] for i in people})
        self.topic = [{t: m.new_bool_var(f"topic{g}_{t}") for t in topics + [CROSS_TOPICS]} for g in groups]
        places = sorted({pool.municipality[i] for i in people})
        self.place = [{c: m.new_bool_var(f"place{g}_{c}") for c in places} for g in groups]
        ages = [pool.age[i] for i in people]
        self.lo = [m.new_int_var(min(ages), max(ages), f"lo{g}") for g in groups]
        self.hi = [m.new_int_var(min(ages), max(ages), f"hi{g}") for g in groups]
        members = {g: [(p, self.x[p][g]) for p in range(n) if g in self.x[p]] for g in groups}
        objective = []
        for p in range(n):
            m.add(sum(self.x[p].values()) <= 1)
        for g in groups:
            size = sum(v for _, v in members[g])
            m.add(size >= rules.min_size * self.active[g])
            m.add(size <= rules.max_size * self.active[g])
            if g + 1 < len(groups):
                m.add(self.active[g] >= self.active[g + 1])
            m.add(sum(self.slot[g].values()) == self.active[g])
            m.add(sum(self.topic[g].values()) == self.active[g])
            m.add(self.lo[g] <= self.hi[g])
            m.add(self.hi[g] - self.lo[g] <= rules.max_age_span_years)
            self._member_rules(g, members[g])
            self._place_rules(g, places)
            self._topic_mix_rule(g, members[g], topics)
            self._gender_rules(g, members[g])
            objective += [pool.value[people[p]] * v for p, v in members[g]]
            objective += self._soft_terms(g, members[g], size)
        self.model.maximize(sum(objective))

    def _member_rules(self, g: int, members: list) -> None:
        pool, m = self.pool, self.model
        for p, v in members:
            i = self.people[p]
            m.add(v <= sum(self.slot[g][s] for s in pool.slots[i]))
            if not pool.digital_ok[i]:
                m.add(v + self.digital[g] <= 1)
            if not pool.in_person_ok[i]:
                m.add(v <= self.digital[g])
            # In person: the municipality is marked as used, and used municipalities must be neighbours.
            m.add(v <= self.place[g][pool.municipality[i]] + self.digital[g])
            composition, topic = pool.composition[i], pool.topic[i]
            if composition == Composition.same_topic:
                m.add(v <= self.topic[g][topic])
            elif composition == Composition.cross_topic:
                m.add(v <= self.topic[g][CROSS_TOPICS])
            else:
                m.add(v <= self.topic[g][topic] + self.topic[g][CROSS_TOPICS])
            m.add(self.lo[g] <= pool.age[i]).only_enforce_if(v)
            m.add(self.hi[g] >= pool.age[i]).only_enforce_if(v)
        if self.pool.rules.digital_scope == "district":
            districts = sorted({pool.district[self.people[p]] for p, _ in members})
            if len(districts) > 1:
                used = {d: m.new_bool_var(f"district{g}_{d}") for d in districts}
                m.add(sum(used.values()) <= 1)
                for p, v in members:
                    m.add(v <= used[pool.district[self.people[p]]])

    def _place_rules(self, g: int, places: list[str]) -> None:
        neighbours = self.pool.neighbours
        for a_index, a in enumerate(places):
            for b in places[a_index + 1 :]:
                if b not in neighbours[a]:
                    self.model.add(self.place[g][a] + self.place[g][b] <= 1)

    def _topic_mix_rule(self, g: int, members: list, topics: list[str]) -> None:
        m = self.model
        present = {t: m.new_bool_var(f"has{g}_{t}") for t in topics}
        for t in topics:
            m.add(present[t] <= sum(v for p, v in members if self.pool.topic[self.people[p]] == t))
        m.add(sum(present.values()) >= 2 * self.topic[g][CROSS_TOPICS])

    def _gender_rules(self, g: int, members: list) -> None:
        pool, m = self.pool, self.model
        wishes = sorted(
            {pool.gender[self.people[p]] for p, _ in members if pool.single_gender[self.people[p]]}
        )
        max_size = pool.rules.max_size
        for gender in wishes:
            only = m.new_bool_var(f"only{g}_{gender}")
            for p, v in members:
                i = self.people[p]
                if pool.single_gender[i] and pool.gender[i] == gender:
                    m.add(v <= only)
            others = [v for p, v in members if pool.gender[self.people[p]] != gender]
            if others:
                m.add(sum(others) <= max_size * (1 - only))

    def _soft_terms(self, g: int, members: list, size) -> list:
        pool, m = self.pool, self.model
        rules, weights = pool.rules, pool.rules.weights
        women = sum(v for p, v in members if pool.gender[self.people[p]] == Gender.female)
        men = sum(v for p, v in members if pool.gender[self.people[p]] == Gender.male)
        no_women, one_woman, no_men, one_man = (m.new_bool_var(f"{k}{g}") for k in ("f0", "f1", "m0", "m1"))
        for flag, count, value in (
            (no_women, women, 0),
            (one_woman, women, 1),
            (no_men, men, 0),
            (one_man, men, 1),
        ):
            m.add(count == value).only_enforce_if(flag)
            m.add(count != value).only_enforce_if(~flag)
        lone = m.new_bool_var(f"lone{g}")
        m.add(lone >= one_woman - no_men)
        m.add(lone >= one_man - no_women)
        if rules.lone_gender == "hard":
            m.add(lone == 0)
        chosen = m.new_bool_var(f"chosen_single{g}")
        m.add(chosen <= sum(v for p, v in members if pool.single_gender[self.people[p]]))
        by_chance = m.new_bool_var(f"by_chance{g}")
        m.add(by_chance >= self.active[g] + no_women - chosen - 1)
        m.add(by_chance >= self.active[g] + no_men - chosen - 1)
        off_target = m.new_int_var(0, rules.max_size, f"off{g}")
        m.add(off_target >= size - rules.target_size * self.active[g])
        m.add(off_target >= rules.target_size * self.active[g] - size)
        terms = []
        if weights.size_value:
            # The value of the whole group by its size (the `lasting` policy's expected members who stay).
            table = [
                weights.size_value[k] if k < len(weights.size_value) else 0 for k in range(rules.max_size + 1)
            ]
            members_count = m.new_int_var(0, rules.max_size, f"n{g}")
            m.add(members_count == size)
            bonus = m.new_int_var(min(table), max(table), f"size_value{g}")
            m.add_element(members_count, table, bonus)
            terms.append(bonus)
        return terms + [
            -weights.lone_gender * lone,
            -weights.single_gender_by_chance * by_chance,
            -weights.per_member_off_target * off_target,
            -weights.per_year_of_age_span * (self.hi[g] - self.lo[g]),
        ]

    def add_hint(self, drafts: list[Draft]) -> None:
        position = {i: p for p, i in enumerate(self.people)}
        ordered = sorted(drafts, key=lambda d: min(position[i] for i in d.members))
        for g in self.groups:
            draft = ordered[g] if g < len(ordered) else None
            chosen = {position[i] for i in draft.members} if draft else set()
            self.model.add_hint(self.active[g], draft is not None)
            for p in range(len(self.people)):
                if g in self.x[p]:
                    self.model.add_hint(self.x[p][g], p in chosen)
            for s, var in self.slot[g].items():
                self.model.add_hint(var, draft is not None and draft.slot == s)
            self.model.add_hint(self.digital[g], bool(draft and draft.digital))
            if draft:
                ages = [self.pool.age[i] for i in draft.members]
                self.model.add_hint(self.lo[g], min(ages))
                self.model.add_hint(self.hi[g], max(ages))
                topics = {self.pool.topic[i] for i in draft.members}
                mode = topics.pop() if len(topics) == 1 else CROSS_TOPICS
                for t, var in self.topic[g].items():
                    self.model.add_hint(var, t == mode)
            used = (
                {self.pool.municipality[i] for i in draft.members} if draft and not draft.digital else set()
            )
            for place, var in self.place[g].items():
                self.model.add_hint(var, place in used)

    def extract(self, solver: cp_model.CpSolver) -> list[Draft]:
        drafts = []
        for g in self.groups:
            if not solver.boolean_value(self.active[g]):
                continue
            members = [
                self.people[p]
                for p in range(len(self.people))
                if g in self.x[p] and solver.boolean_value(self.x[p][g])
            ]
            slot = next(s for s, var in self.slot[g].items() if solver.boolean_value(var))
            drafts.append(Draft(members=members, slot=slot, digital=solver.boolean_value(self.digital[g])))
        return drafts
