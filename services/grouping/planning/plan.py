"""Planning entry point: split the pool into independent regions, solve each, say why people wait."""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.contracts.vocabulary import SLOTS, MeetingFormat

from .exact import EXACT_POOL_CAP, solve_exact
from .explain import Explainer
from .heuristic import solve_heuristic
from .model import Person, Plan, PlanningRules, ProposedGroup, Waiting, group_id_for
from .pool import Draft, Pool, build_pool, clash, could_be_grouped, score
from .rules import has_lone_gender, meeting_formats

BOTH_FORMATS = (MeetingFormat.in_person, MeetingFormat.digital)


@dataclass(frozen=True)
class _RegionJob:
    region: str
    people: tuple[Person, ...]
    as_of: date
    rules: PlanningRules
    seed: int
    formats: tuple[MeetingFormat, ...]
    explain: bool


@dataclass(frozen=True)
class _RegionResult:
    region: str
    groups: list[ProposedGroup]
    waiting: list[Waiting]
    unplaced: list[str]
    stats: dict[str, Any]


def plan(
    people: Iterable[Person],
    as_of: date,
    rules: PlanningRules | None = None,
    seed: int = 0,
    *,
    explain: bool = True,
) -> Plan:
    """Proposed groups for the waiting pool on a start date, and the reasons for everyone left waiting
    (`explain=False`: nobody gets reasons; a caller that plans again at once needs none)."""
    rules = rules or PlanningRules()
    people = sorted(people, key=lambda p: p.participant_id)  # input order must not change the answer
    repeated = [pid for pid, n in Counter(p.participant_id for p in people).items() if n > 1]
    if repeated:
        raise ValueError(f"participant ids appear more than once: {', '.join(sorted(repeated)[:5])}")
    by_region: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        by_region[person.district].append(person)
    national_digital = rules.digital_scope == "country"
    jobs = [
        _RegionJob(
            region,
            tuple(members),
            as_of,
            rules,
            seed,
            (MeetingFormat.in_person,) if national_digital else BOTH_FORMATS,
            explain=explain and not national_digital,
        )
        for region, members in sorted(by_region.items())
    ]
    results = _solve_all(jobs, rules.workers)
    if national_digital:
        results.append(_digital_across_the_country(people, results, as_of, rules, seed))
    groups = sorted((g for r in results for g in r.groups), key=lambda g: (g.district, g.group_id))
    waiting = sorted((w for r in results for w in r.waiting), key=lambda w: w.participant_id)
    return Plan(tuple(groups), tuple(waiting), _stats(people, groups, waiting, results))


def plan_after_change(
    people: Iterable[Person],
    settled: frozenset[Person] | None,
    as_of: date,
    rules: PlanningRules | None = None,
    seed: int = 0,
) -> tuple[Plan, bool]:
    """`plan` for a district's pool that changed since an earlier plan left `settled` waiting (None:
    not known), and whether it searched.

    That plan found no group among `settled`, so a new group needs someone else (a newcomer, or someone
    whose details changed) with at least `min_size - 1` others at one slot and format, none of whom
    clashes with them (the rules between two people). When nobody has, the search would form no group
    and give the reasons given here, for many times the work. With groups across districts
    (`digital_scope="country"`) a district's pool is not the whole picture: it always searches.
    """
    rules = rules or PlanningRules()
    people = sorted(people, key=lambda p: p.participant_id)
    if settled is None or rules.digital_scope != "district":
        return plan(people, as_of, rules, seed), True
    pool = build_pool(people, as_of, rules)
    if _someone_new_could_form_a_group(pool, settled):
        return plan(people, as_of, rules, seed), True
    return _reasons_only(pool), False


def _someone_new_could_form_a_group(pool: Pool, settled: frozenset[Person]) -> bool:
    needed = pool.rules.min_size - 1
    for a, person in enumerate(pool.people):
        if person in settled:
            continue
        for digital, format_ok in ((False, pool.in_person_ok), (True, pool.digital_ok)):
            if not format_ok[a]:
                continue
            for slot in pool.slots[a]:
                mates = 0
                for b in range(len(pool)):
                    if b != a and format_ok[b] and slot in pool.slots[b] and not clash(pool, a, b, digital):
                        mates += 1
                        if mates >= needed:
                            return True
    return False


def _reasons_only(pool: Pool) -> Plan:
    """No group, and for everyone the reasons the search gives when it forms none."""
    people = pool.people
    explainer = Explainer(pool, [True] * len(pool))
    everyone = [True] * len(pool)
    waiting = [
        Waiting(person.participant_id, explainer.reasons(i, everyone)) for i, person in enumerate(people)
    ]
    region = _RegionResult(
        people[0].district if people else "",
        [],
        waiting,
        [person.participant_id for person in people],
        {
            "method": "reasons only: no newcomer can form a group",
            "people": len(people),
            "placed": 0,
            "groups": 0,
        },
    )
    return Plan((), tuple(waiting), _stats(people, [], waiting, [region]))


def _solve_all(jobs: list[_RegionJob], workers: int) -> list[_RegionResult]:
    if workers <= 1 or len(jobs) <= 1:
        return [_solve_region(job) for job in jobs]
    with ProcessPoolExecutor(max_workers=workers) as executor:
        # Largest regions first so one big region does not start last and hold up the rest.
        futures = {
            job.region: executor.submit(_solve_region, job)
            for job in sorted(jobs, key=lambda j: -len(j.people))
        }
        return [futures[job.region].result() for job in jobs]


def _digital_across_the_country(
    people: list[Person], results: list[_RegionResult], as_of: date, rules: PlanningRules, seed: int
) -> _RegionResult:
    """With a national digital scope, regions form in-person groups; who is left meets digitally, nationwide.
    Reasons are given against the whole country, where both formats are open."""
    unplaced = {pid for r in results for pid in r.unplaced}
    open_to_digital = [
        p for p in people if p.participant_id in unplaced and MeetingFormat.digital in meeting_formats(p)
    ]
    national = _solve_region(
        _RegionJob(
            "country", tuple(open_to_digital), as_of, rules, seed, (MeetingFormat.digital,), explain=False
        )
    )
    still = (unplaced - {p.participant_id for p in open_to_digital}) | set(national.unplaced)
    pool = build_pool(people, as_of, rules)
    explainer = Explainer(pool, [True] * len(pool))
    waiting_mask = [p.participant_id in still for p in people]
    waiting = [
        Waiting(p.participant_id, explainer.reasons(i, waiting_mask))
        for i, p in enumerate(people)
        if waiting_mask[i]
    ]
    return _RegionResult("country", national.groups, waiting, sorted(still), national.stats)


def _solve_region(job: _RegionJob) -> _RegionResult:
    rules = job.rules
    deadline = time.monotonic() + rules.time_limit_s
    pool = build_pool(job.people, job.as_of, rules, job.formats)
    eligible = [
        pool.age[i] >= rules.min_age and (pool.in_person_ok[i] or pool.digital_ok[i])
        for i in range(len(pool))
    ]
    # The exact method is chosen by the pool's size as before (its time is what the limits were set for),
    # and then searches only among those who could be in a group, as the heuristic does.
    pool_size = sum(eligible)
    eligible = could_be_grouped(pool, eligible)
    size = sum(eligible)
    drafts = solve_heuristic(pool, eligible, job.seed, deadline, budget_size=pool_size)
    stats: dict[str, Any] = {"method": "heuristic"}
    wants_exact = (rules.method == "exact" and pool_size <= EXACT_POOL_CAP) or (
        rules.method == "auto" and pool_size <= rules.exact_max_pool
    )
    if wants_exact and size >= rules.min_size:
        exact = solve_exact(
            pool,
            eligible,
            deadline - time.monotonic(),
            hint=drafts,
            seed=job.seed,
            deterministic_time=rules.exact_deterministic_time,
        )
        if exact is not None and _total(pool, exact.drafts) >= _total(pool, drafts):
            drafts = exact.drafts
            stats = {"method": "exact", "proven_optimal": exact.optimal}
    groups = [_proposed(pool, draft, job.region) for draft in drafts]
    placed = [False] * len(pool)
    for draft in drafts:
        for i in draft.members:
            placed[i] = True
    unplaced = [i for i in range(len(pool)) if not placed[i]]
    waiting: list[Waiting] = []
    if job.explain:
        explainer = Explainer(pool, [True] * len(pool))
        still = [not p for p in placed]
        waiting = [Waiting(pool.people[i].participant_id, explainer.reasons(i, still)) for i in unplaced]
    stats.update(people=len(pool), eligible=size, placed=sum(placed), groups=len(groups))
    return _RegionResult(
        job.region, groups, waiting, [pool.people[i].participant_id for i in unplaced], stats
    )


def _total(pool: Pool, drafts: list[Draft]) -> int:
    return sum(score(pool, d.members) for d in drafts)


def _proposed(pool: Pool, draft: Draft, region: str) -> ProposedGroup:
    members = [pool.people[i] for i in draft.members]
    districts = Counter(p.district for p in members)
    # A country-wide digital group is followed up by the district office of most of its members.
    district = region if region != "country" else min(districts, key=lambda d: (-districts[d], d))
    ids = tuple(sorted(p.participant_id for p in members))
    return ProposedGroup(
        group_id=group_id_for(ids),
        members=ids,
        slot=SLOTS[draft.slot],
        format=MeetingFormat.digital if draft.digital else MeetingFormat.in_person,
        topics=tuple(sorted({p.topic for p in members})),
        municipalities=tuple(sorted({p.municipality for p in members})),
        district=district,
    )


def _stats(
    people: list[Person], groups: list[ProposedGroup], waiting: list[Waiting], results: list[_RegionResult]
) -> dict[str, Any]:
    by_id = {p.participant_id: p for p in people}
    placed = sum(len(g.members) for g in groups)
    lone = sum(1 for g in groups if has_lone_gender(by_id[m].gender for m in g.members))
    mixed = sum(1 for g in groups if {"female", "male"} <= {str(by_id[m].gender) for m in g.members})
    return {
        "people": len(people),
        "placed": placed,
        "waiting": len(waiting),
        "placed_share": round(placed / len(people), 4) if people else 0.0,
        "groups": len(groups),
        "group_sizes": dict(sorted(Counter(str(len(g.members)) for g in groups).items())),
        "formats": dict(sorted(Counter(str(g.format) for g in groups).items())),
        "mixed_gender_groups": mixed,
        "lone_gender_groups": lone,
        "reasons": dict(sorted(Counter(w.reasons[0].code for w in waiting if w.reasons).items())),
        "regions": {r.region: r.stats for r in results},
    }
