"""The grouping service's policy over simulated time: a day at a time, arrivals join the pool, invitations
are answered (a seeded share declines or lets the deadline pass, then goes back to the pool or leaves),
proposed groups start, are topped up or refilled, or dissolve, and districts are planned through the same
`policy.decide` the service runs. Pure and deterministic for a given input, settings and seed.

The service plans a district when its pool changes and re-plans every district daily; here a day is the
unit: a district is planned on a day its pool changed, or when a group held back there falls due.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from random import Random
from typing import Any

from . import lifecycle, nudges
from .planning.model import Person, PlanningRules, ProposedGroup, Waiting
from .planning.policy import (
    PolicySettings,
    decide,
    expected_lasting,
    newcomer_could_form_a_group,
    refill_rules,
    review_held,
    review_in_days,
    top_up_candidates,
)
from .planning.rules import has_lone_gender, validate_group

# How often a held group's prospects are looked at again when nothing else changes in its district.
RECHECK_HELD_DAYS = 7


@dataclass(frozen=True)
class InvitationModel:
    """What invited people do. Of everyone invited, `decline` decline and `no_answer` let the deadline
    pass (both free the place, as in the service); of those, `leave` leave the pool, the rest wait again.
    The others accept on a day within the answer window."""

    decline: float = 0.10
    no_answer: float = 0.05
    leave: float = 0.3
    invitation_days: int = 7
    # Of the people still waiting `nudge_after_days` after registering (when the service sends its one
    # message about what would get them a group sooner), the share who take the first option offered
    # (nudges.py: more times, digital, across topics, a neighbouring municipality). 0: nobody.
    nudge_take_share: float = 0.0
    nudge_after_days: int = 28


@dataclass
class SimGroup:
    proposal: ProposedGroup
    formed_at: date
    size_at_forming: int
    # participant id -> (answer day, "accepted" | "declined" | "expired"); the answer is drawn at invitation.
    pending: dict[str, tuple[date, str]] = field(default_factory=dict)
    accepted: list[str] = field(default_factory=list)
    invited_on: dict[str, date] = field(default_factory=dict)
    asked: set[str] = field(default_factory=set)
    status: str = "proposed"  # proposed | started | dissolved
    started_at: date | None = None


@dataclass
class SimResult:
    groups: list[SimGroup]
    waiting: list[Waiting]
    left: list[str]
    violations: list[str]
    people: dict[str, Person]
    until: date
    stats: dict[str, Any]


class Simulation:
    def __init__(
        self,
        people: list[Person],
        rules: PlanningRules,
        settings: PolicySettings,
        invitations: InvitationModel,
        seed: int = 0,
        stream: str = "",
    ) -> None:
        self.rules, self.settings, self.model = rules, settings, invitations
        self.refill = refill_rules(rules, settings)
        # `stream`: one district's own answers (simulation_districts.py runs districts apart, in parallel).
        self.rng = Random(f"{seed}/{stream}" if stream else seed)
        self.seed = seed
        self.people = {p.participant_id: p for p in people}
        self.arrivals = sorted(people, key=lambda p: (p.registered_at, p.participant_id))
        self.waiting: dict[str, dict[str, Person]] = defaultdict(dict)
        self.by_district: dict[str, list[Person]] = defaultdict(list)  # arrivals so far, in order
        self.arrival_keys: dict[str, list[datetime]] = defaultdict(list)  # their times, naive, for bisect
        self.groups: list[SimGroup] = []
        self.open: dict[str, list[SimGroup]] = defaultdict(list)  # proposed groups per district
        self.left: list[str] = []
        self.violations: list[str] = []
        self.changed: set[str] = set()
        # Per district: who arrived or came back since its last plan (a plan without them would repeat).
        self.newcomers: dict[str, set[str]] = defaultdict(set)
        self.held_due: dict[str, date] = {}
        self.held_groups: dict[str, list[ProposedGroup]] = {}
        self.reviews = 0  # held groups looked at again without a new search
        self.plans = 0
        self.skipped = 0  # plans skipped: nobody new could form a group
        self.held = 0  # held-back decisions, summed over plans
        self.first_day: date | None = None
        self.nudges_taken = 0

    def run(self, until: date) -> SimResult:
        if not self.arrivals:
            return self._result(until)
        day = self.first_day = self.arrivals[0].registered_at.date()
        next_arrival = 0
        while day <= until:
            while (
                next_arrival < len(self.arrivals) and self.arrivals[next_arrival].registered_at.date() <= day
            ):
                person = self.arrivals[next_arrival]
                self.waiting[person.district][person.participant_id] = person
                self.by_district[person.district].append(person)
                self.arrival_keys[person.district].append(person.registered_at.replace(tzinfo=None))
                self.changed.add(person.district)
                self.newcomers[person.district].add(person.participant_id)
                next_arrival += 1
            self._answers_due(day)
            if self.model.nudge_take_share:
                self._nudge(day)
            for district in sorted(self.changed | {d for d, due in self.held_due.items() if due <= day}):
                self._top_up(district, day)
                self._plan(district, day)
            self.changed.clear()
            day += timedelta(days=1)
        return self._result(until)

    # -- nudges (issue 23 item 4) --

    def _nudge(self, day: date) -> None:
        """People who registered `nudge_after_days` ago and still wait: a seeded share takes the first
        option the service would offer them, as their own correction (a changed registration)."""
        registered = day - timedelta(days=self.model.nudge_after_days)
        for district, pool in self.waiting.items():
            due = [p for p in pool.values() if p.registered_at.date() == registered]
            for person in sorted(due, key=lambda p: p.participant_id):
                if self.rng.random() >= self.model.nudge_take_share:
                    continue
                options = nudges.options_for(person, list(pool.values()), self.rules, day)
                if not options:
                    continue
                changed = nudges.take(person, options[0])
                self.people[person.participant_id] = pool[person.participant_id] = changed
                self.newcomers[district].add(person.participant_id)
                self.changed.add(district)
                self.nudges_taken += 1

    # -- invitations and the life of a proposed group --

    def _invite(self, group: SimGroup, ids: list[str], day: date) -> None:
        model = self.model
        for pid in ids:
            self.waiting[group.proposal.district].pop(pid, None)
            draw = self.rng.random()
            if draw < model.decline:
                answer = (day + timedelta(days=self.rng.randint(0, model.invitation_days - 1)), "declined")
            elif draw < model.decline + model.no_answer:
                answer = (day + timedelta(days=model.invitation_days), "expired")
            else:
                answer = (day + timedelta(days=self.rng.randint(0, model.invitation_days - 1)), "accepted")
            group.pending[pid] = answer
            group.invited_on[pid] = day
            group.asked.add(pid)

    def _answers_due(self, day: date) -> None:
        for district, proposed in self.open.items():
            for group in list(proposed):
                due = [pid for pid, (when, _) in group.pending.items() if when <= day]
                if not due and group.pending:
                    continue
                for pid in sorted(due):
                    _, outcome = group.pending.pop(pid)
                    if outcome == "accepted":
                        group.accepted.append(pid)
                    else:
                        self._free(pid, district)
                self._evaluate(group, day)

    def _free(self, pid: str, district: str) -> None:
        if self.rng.random() < self.model.leave:
            self.left.append(pid)
        else:
            self.waiting[district][pid] = self.people[pid]  # back with the original registration time
            self.changed.add(district)
            self.newcomers[district].add(pid)

    def _evaluate(self, group: SimGroup, day: date) -> None:
        district = group.proposal.district
        could_come = len(group.accepted) + len(group.pending)
        candidates: list[Person] = []
        if could_come < self.rules.min_size:
            members = [self.people[p] for p in [*group.accepted, *group.pending]]
            pool = [p for pid, p in self.waiting[district].items() if pid not in group.asked]
            candidates = lifecycle.backfill_candidates(
                members,
                group.proposal.slot,
                group.proposal.format,
                pool,
                self.refill,
                day,
                self.rules.target_size - len(members),
            )
        answers = lifecycle.Answers(len(group.accepted), len(group.pending), 0)
        deadline = group.formed_at + timedelta(days=self.model.invitation_days)
        decision = lifecycle.decide_start(
            answers, self.refill, backfill_possible=bool(candidates), before_deadline=day < deadline
        )
        if decision is lifecycle.StartDecision.backfill:
            self._invite(group, [p.participant_id for p in candidates], day)
        elif decision is lifecycle.StartDecision.dissolve:
            group.status = "dissolved"
            for pid in group.accepted + list(group.pending):
                self.waiting[district][pid] = self.people[pid]
                self.newcomers[district].add(pid)
            self.changed.add(district)
            group.accepted, group.pending = [], {}
            self.open[district].remove(group)
        elif decision is lifecycle.StartDecision.start:
            group.status, group.started_at = "started", day
            self.open[district].remove(group)

    def _top_up(self, district: str, day: date) -> None:
        for group in self.open[district]:
            members = [self.people[p] for p in [*group.accepted, *group.pending]]
            pool = [p for pid, p in self.waiting[district].items() if pid not in group.asked]
            chosen = top_up_candidates(
                members, group.proposal.slot, group.proposal.format, pool, self.rules, self.settings, day
            )
            if chosen:
                self._invite(group, [p.participant_id for p in chosen], day)

    # -- planning --

    def _plan(self, district: str, day: date) -> None:
        held_due = self.held_due.get(district)
        newcomers = self.newcomers.pop(district, set())
        pool = self.waiting[district]
        if len(pool) < self.rules.min_size:
            return
        if not newcomer_could_form_a_group(list(pool.values()), newcomers & pool.keys(), day, self.rules):
            if held_due is None or held_due > day:
                self.skipped += 1
                return
            # Only time has passed since the plan that held these groups back: that plan stands (a new
            # search would find the same groups); look again only at whether each should still wait.
            held = [
                g
                for g in self.held_groups.get(district, ())
                # still all waiting, and still within the rules (a birthday can widen the age span)
                if all(m in pool for m in g.members) and not validate_group(g, self.people, self.rules, day)
            ]
            form, held = review_held(
                held,
                self.people,
                self._recent(district, day),
                day,
                self.rules,
                self.settings,
                self._history(day),
            )
            self.reviews += 1
        else:
            decision = decide(
                list(pool.values()),
                day,
                self.rules,
                self.settings,
                self._recent(district, day),
                seed=self.seed,
                explain=False,
                history_days=self._history(day),
            )
            self.plans += 1
            form, held = list(decision.form), list(decision.held)
        self.held_due.pop(district, None)
        self.held += len(held)
        for proposal in form:
            problems = validate_group(proposal, self.people, self.rules, day)
            self.violations += [f"group {proposal.group_id} formed {day}: {p}" for p in problems]
            group = SimGroup(proposal, day, len(proposal.members))
            self.groups.append(group)
            self.open[district].append(group)
            self._invite(group, list(proposal.members), day)
        self.held_groups[district] = held
        if held:
            due = min(review_in_days([self.people[m] for m in g.members], day, self.settings) for g in held)
            self.held_due[district] = day + timedelta(days=min(due, RECHECK_HELD_DAYS))

    def _history(self, day: date) -> int | None:
        return (day - self.first_day).days if self.first_day else None

    def _recent(self, district: str, day: date) -> list[Person]:
        arrivals = self.by_district[district]
        since = datetime.combine(day - timedelta(days=self.settings.lookback_days), datetime.min.time())
        return arrivals[bisect.bisect_left(self.arrival_keys[district], since) :]

    # -- the result --

    def _result(self, until: date) -> SimResult:
        waiting_people = [p for pool in self.waiting.values() for p in pool.values()]
        reasons: list[Waiting] = []
        by_district: dict[str, list[Person]] = defaultdict(list)
        for person in waiting_people:
            by_district[person.district].append(person)
        for district, people in sorted(by_district.items()):
            decision = decide(
                people, until, self.rules, self.settings, self._recent(district, until), seed=self.seed
            )
            reasons += decision.waiting
        reasons.sort(key=lambda w: w.participant_id)
        return SimResult(
            self.groups,
            reasons,
            self.left,
            self.violations,
            self.people,
            until,
            summary(self.groups, self.people, len(self.arrivals), self.plans)
            | {
                "held": self.held,
                "skipped": self.skipped,
                "reviews": self.reviews,
                "nudges_taken": self.nudges_taken,
            },
        )


def final_members(group: SimGroup) -> list[str]:
    """Who is in the group at the end: the accepted, and for a group not yet started, those still asked."""
    if group.status == "dissolved":
        return []
    return sorted([*group.accepted, *group.pending])


def summary(groups: list[SimGroup], people: dict[str, Person], arrivals: int, plans: int) -> dict[str, Any]:
    """The measures of issue 23: expected people in a lasting group (as a share of arrivals) at three
    dropout rates, waits to forming, sizes, lone men or women."""
    standing = [g for g in groups if g.status != "dissolved"]
    sizes = [len(final_members(g)) for g in standing]
    waits = sorted(
        (g.invited_on[m] - people[m].registered_at.date()).days for g in standing for m in final_members(g)
    )
    lasting = {
        str(p): round(sum(expected_lasting(n, p) for n in sizes) / arrivals, 4) if arrivals else 0.0
        for p in (0.1, 0.2, 0.3)
    }
    return {
        "arrivals": arrivals,
        "groups_formed": len(groups),
        "groups_standing": len(standing),
        "groups_dissolved": len(groups) - len(standing),
        "placed": sum(sizes),
        "placed_share": round(sum(sizes) / arrivals, 4) if arrivals else 0.0,
        "lasting_share": lasting,
        "median_wait_days": _quantile(waits, 0.5),
        "p90_wait_days": _quantile(waits, 0.9),
        "mean_size_at_forming": round(sum(g.size_at_forming for g in groups) / len(groups), 3)
        if groups
        else 0.0,
        "mean_size_standing": round(sum(sizes) / len(sizes), 3) if sizes else 0.0,
        "group_sizes": {str(n): sizes.count(n) for n in sorted(set(sizes))},
        "lone_gender_groups": sum(
            1 for g in standing if has_lone_gender(people[m].gender for m in final_members(g))
        ),
        "plans": plans,
    }


def _quantile(values: list[int], q: float) -> float | None:
    if not values:
        return None
    return float(values[min(len(values) - 1, int(q * len(values)))])
