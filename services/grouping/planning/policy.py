"""The grouping policy: which of a district's possible groups form now, and which are held back for a
larger group. Pure: the service (commands/planning.py) and the simulation (simulation.py) both decide
through `decide`, so what the simulation measures is what the service does.

Why hold a group back at all: people drop out of new groups in the first weeks. With each member leaving
independently with probability p, a group of n keeps at least four members with a binomial probability
that grows steeply with n (p = 0.2: 0.41 for 4, 0.74 for 5, 0.90 for 6). The `lasting` policy plans for
the expected number of people still in a group of at least four (`expected_lasting`), not the number
placed today, within a limit on how long anyone waits:

1. the planner scores each group by its expected members still there after the first weeks
   (`lasting_size_value`), so it prefers two groups of six to three of four, and one of eight to two of
   four; and it forms no group with a lone man or woman in this search;
2. of those groups, the ones of `form_size` or more form at once; a smaller one is held back while
   compatible arrivals are likely before its longest-waiting member reaches `wait_limit_days`, judged by
   the rate at which people who would fit it arrived in the last `lookback_days`, and formed as soon as
   someone in it reaches the limit or nobody is likely to come;
3. people that search left out get any allowed group once someone among them has waited past a limit:
   `wait_limit_days`, or for a group with a lone man or woman `lone_gender_wait_days`;
4. a proposed group that has not started takes newcomers who fit it up to the target size (`top_up`).

`asap` forms every group the planner finds at once (the policy before issue 23).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Literal

from shared.contracts.vocabulary import MeetingFormat
from shared.reference import are_neighbours

from .model import Person, Plan, PlanningRules, ProposedGroup, Reason, Waiting
from .plan import plan
from .possible import newcomer_could_form_a_group
from .rules import age_on, has_lone_gender, meeting_formats, member_violations, wait_days

HELD_REASON = "held_for_larger"


@dataclass(frozen=True)
class PolicySettings:
    policy: Literal["lasting", "asap"] = "lasting"
    # The chance a member leaves a new group in its first weeks: the objective's survival model.
    dropout: float = 0.2
    # Nobody in a group that could be formed waits longer than this (from registration) for a larger one,
    wait_limit_days: int = 120
    # and a group is held at most this long after it became possible (its newest member registered).
    max_hold_days: int = 56
    # Groups this large form at once; smaller ones may be held back.
    form_size: int = 6
    # The window of past arrivals that estimates how often people who fit a held group arrive.
    lookback_days: int = 90
    # Hold while the chance of at least one more fitting arrival before the limit is at least this.
    hold_if_likely: float = 0.35
    # Fill a proposed group with fitting newcomers up to the target size before it starts.
    top_up: bool = True
    # The planner's soft cost of a lone man or woman in the search for people past a limit
    # (ScoreWeights.lone_gender): ten years of someone's waiting, still far below a placement.
    lone_gender_cost: int = 3650
    # A group that would leave a man or a woman alone among the other gender forms only once someone in
    # it has waited this long (the first search forms none). In the simulation (docs/quality.md) 180
    # days kept such groups under half of `asap`'s share also with 2,000 arrivals a year, where 120 did
    # not, and placed as many people in lasting groups.
    lone_gender_wait_days: int = 180


def lasting_size_value(dropout: float, rules: PlanningRules) -> tuple[int, ...]:
    """ScoreWeights.size_value for the `lasting` policy: with it a group of n is worth its expected
    members still there after the first weeks, in placements scaled so that a group of the minimum size
    is worth what it is worth to `asap` (n placements)."""
    placement = rules.weights.placement
    scale = placement * rules.min_size / expected_lasting(rules.min_size, dropout, rules.min_size)
    return tuple(
        round(scale * expected_lasting(n, dropout, rules.min_size)) - placement * n
        if n >= rules.min_size
        else 0
        for n in range(rules.max_size + 1)
    )


def survival(size: int, dropout: float, minimum: int = 4) -> float:
    """The chance that at least `minimum` of `size` members stay, each leaving with `dropout`."""
    stay = 1.0 - dropout
    return sum(math.comb(size, k) * stay**k * dropout ** (size - k) for k in range(minimum, size + 1))


def expected_lasting(size: int, dropout: float, minimum: int = 4) -> float:
    """The expected number of members still in a group of at least `minimum` after the first weeks."""
    stay = 1.0 - dropout
    return sum(k * math.comb(size, k) * stay**k * dropout ** (size - k) for k in range(minimum, size + 1))


@dataclass(frozen=True)
class Decision:
    """What to do with a district's pool now: the groups to form, the groups held back (their members stay
    waiting, with the reason), and the plan that gives everyone else their reasons."""

    form: tuple[ProposedGroup, ...]
    held: tuple[ProposedGroup, ...]
    waiting: tuple[Waiting, ...]
    stats: dict = field(default_factory=dict)


def fits(members: Sequence[Person], slot: str, meeting_format, rules: PlanningRules, as_of: date) -> bool:
    """The hard rules, except the minimum size (a group being filled may still be short)."""
    problems = member_violations(members, slot, meeting_format, rules, as_of)
    return all(problem.startswith("size ") and len(members) < rules.min_size for problem in problems)


class _QuickCheck:
    """The cheap necessary tests for one more member of a group (age span, format, a neighbouring
    municipality), so that the full rules run only for the few people who pass them: a held group is
    compared with every recent arrival, each time its district is planned."""

    def __init__(self, members: Sequence[Person], meeting_format, rules: PlanningRules, as_of: date) -> None:
        ages = [age_on(p.birth_date, as_of) for p in members]
        self.lowest = max(ages) - rules.max_age_span_years
        self.highest = min(ages) + rules.max_age_span_years
        self.format, self.rules, self.as_of = meeting_format, rules, as_of
        self.places = {p.municipality for p in members} if meeting_format == MeetingFormat.in_person else None

    def may_join(self, person: Person) -> bool:
        if not self.lowest <= age_on(person.birth_date, self.as_of) <= self.highest:
            return False
        if self.format not in meeting_formats(person):
            return False
        return self.places is None or all(
            are_neighbours(person.municipality, place, self.rules.neighbour_km) for place in self.places
        )


def hold_window(members: Sequence[Person], as_of: date, settings: PolicySettings) -> int:
    """Days a group may still be held: until its longest-waiting member reaches the wait limit, and at
    most `max_hold_days` after its newest member registered (when the group became possible; no state
    needs keeping)."""
    longest = max(wait_days(p, as_of) for p in members)
    newest = min(wait_days(p, as_of) for p in members)
    return min(settings.wait_limit_days - longest, settings.max_hold_days - newest)


def arrival_chance(
    group: ProposedGroup,
    members: Sequence[Person],
    arrivals: Iterable[Person],
    as_of: date,
    rules: PlanningRules,
    settings: PolicySettings,
    history_days: int | None = None,
) -> float:
    """The chance that someone who fits the group arrives before its longest-waiting member reaches the
    wait limit: a Poisson process at the rate fitting people arrived over the lookback window."""
    window = hold_window(members, as_of, settings)
    if window <= 0:
        return 0.0
    lookback = settings.lookback_days if history_days is None else min(settings.lookback_days, history_days)
    if lookback <= 0:
        return 0.0
    since = as_of - timedelta(days=lookback)
    ids = set(group.members)
    quick = _QuickCheck(members, group.format, rules, as_of)
    fitting = 0
    for person in arrivals:
        if person.participant_id in ids or not since <= person.registered_at.date() <= as_of:
            continue
        if person.district != members[0].district or group.slot not in person.availability:
            continue  # the cheap tests first: most arrivals cannot meet at the group's time
        if quick.may_join(person) and fits([*members, person], group.slot, group.format, rules, as_of):
            fitting += 1
    rate = fitting / lookback
    return 1.0 - math.exp(-rate * window)


def decide(
    people: Sequence[Person],
    as_of: date,
    rules: PlanningRules,
    settings: PolicySettings,
    arrivals: Iterable[Person] = (),
    *,
    seed: int = 0,
    explain: bool = True,
    history_days: int | None = None,
) -> Decision:
    """The groups to form now from a pool of waiting people, and those held back. `arrivals`: people who
    registered recently in the district (whatever became of them), for the rate of fitting arrivals."""
    if settings.policy == "asap" or not people:
        result = plan(people, as_of, rules, seed, explain=explain)
        return Decision(result.groups, (), result.waiting, result.stats)
    by_id = {p.participant_id: p for p in people}
    arrivals = list(arrivals)
    lasting_rules = replace(
        rules,
        lone_gender="hard",
        weights=replace(rules.weights, size_value=lasting_size_value(settings.dropout, rules)),
    )
    # First the groups that plan for lasting: each worth its expected members who stay, no lone man or
    # woman. Large ones form; smaller ones form or are held back for more arrivals.
    first = plan(people, as_of, lasting_rules, seed, explain=False)
    taken = {m for g in first.groups for m in g.members}
    rest = [p for p in people if p.participant_id not in taken]
    # Then any allowed group among the others (the planner still avoids a lone man or woman where it
    # can), searched only when someone there has waited past a limit and could be in a group (or when
    # the caller wants everyone's reasons).
    overdue = min(settings.wait_limit_days, settings.lone_gender_wait_days)
    late = [p.participant_id for p in rest if wait_days(p, as_of) >= overdue]
    small = Plan((), (), {})
    if explain or newcomer_could_form_a_group(rest, late, as_of, rules):
        soft = replace(rules, weights=replace(rules.weights, lone_gender=settings.lone_gender_cost))
        small = plan(rest, as_of, soft, seed, explain=explain)
    form, held = review_held(
        (*first.groups, *small.groups), by_id, arrivals, as_of, rules, settings, history_days
    )
    waiting = list(small.waiting)
    for group in held:
        reason = Reason(
            HELD_REASON,
            f"a group of {len(group.members)} is possible; held back while more people who fit it are "
            "likely to register soon",
            {"size": len(group.members), "limit_days": settings.wait_limit_days},
        )
        waiting += [Waiting(m, (reason,)) for m in group.members]
    stats = dict(small.stats)
    stats.update(groups=len(form), held_groups=len(held))
    return Decision(
        tuple(sorted(form, key=lambda g: g.group_id)),
        tuple(held),
        tuple(sorted(waiting, key=lambda w: w.participant_id)),
        stats,
    )


def review_held(
    groups: Iterable[ProposedGroup],
    by_id: dict[str, Person],
    arrivals: Sequence[Person],
    as_of: date,
    rules: PlanningRules,
    settings: PolicySettings,
    history_days: int | None = None,
) -> tuple[list[ProposedGroup], list[ProposedGroup]]:
    """Which of these possible groups form now and which are held back: a group with a lone man or woman
    waits for a better mix until someone in it has waited `lone_gender_wait_days`; any other group forms
    at `form_size`, or when holding it costs more than it is likely to gain."""
    form: list[ProposedGroup] = []
    held: list[ProposedGroup] = []
    for group in groups:
        members = [by_id[m] for m in group.members]
        if _lone_can_wait(members, as_of, settings):
            held.append(group)
        elif len(members) >= settings.form_size or has_lone_gender(p.gender for p in members):
            form.append(group)
        elif _holding_costs_more(group, members, arrivals, as_of, rules, settings, history_days):
            form.append(group)
        else:
            held.append(group)
    return form, held


def _lone_can_wait(members: Sequence[Person], as_of: date, settings: PolicySettings) -> bool:
    """A group with a lone man or woman waits for a better mix until someone in it has waited
    `lone_gender_wait_days` (the frame asks to avoid such groups; the planner already avoids them when
    it can at no cost in placements)."""
    return has_lone_gender(p.gender for p in members) and (
        max(wait_days(p, as_of) for p in members) < settings.lone_gender_wait_days
    )


def review_in_days(members: Sequence[Person], as_of: date, settings: PolicySettings) -> int:
    """Days until a held group's decision may change with nothing else changing (at least 1)."""
    if _lone_can_wait(members, as_of, settings):
        return max(1, settings.lone_gender_wait_days - max(wait_days(p, as_of) for p in members))
    return max(1, hold_window(members, as_of, settings))


def _holding_costs_more(
    group: ProposedGroup,
    members: Sequence[Person],
    arrivals: list[Person],
    as_of: date,
    rules: PlanningRules,
    settings: PolicySettings,
    history_days: int | None,
) -> bool:
    if hold_window(members, as_of, settings) <= 0:
        return True  # never past the limit when a group can be formed
    if len(members) >= rules.max_size:
        return True
    chance = arrival_chance(group, members, arrivals, as_of, rules, settings, history_days)
    return chance < settings.hold_if_likely


def top_up_candidates(
    group_members: Sequence[Person],
    slot: str,
    meeting_format,
    waiting: Iterable[Person],
    rules: PlanningRules,
    settings: PolicySettings,
    as_of: date,
) -> list[Person]:
    """Waiting people (longest-waiting first) who fit a proposed group, up to its target size; none under
    `asap` or with `top_up` off."""
    if settings.policy != "lasting" or not settings.top_up:
        return []
    places = rules.target_size - len(group_members)
    if places <= 0:
        return []
    quick = _QuickCheck(group_members, meeting_format, rules, as_of)
    chosen: list[Person] = []
    likely = [p for p in waiting if slot in p.availability and quick.may_join(p)]
    for candidate in sorted(likely, key=lambda p: (p.registered_at, p.participant_id)):
        if len(chosen) >= places:
            break
        grown = [*group_members, *chosen, candidate]
        # Nobody is added who would leave a man or a woman alone among the other gender (a group left
        # with one man after a decline takes a man first).
        if has_lone_gender(p.gender for p in grown):
            continue
        if fits(grown, slot, meeting_format, rules, as_of):
            chosen.append(candidate)
    return chosen


def refill_rules(rules: PlanningRules, settings: PolicySettings) -> PlanningRules:
    """The rules of a proposed group's life (lifecycle.py) under the policy: under `lasting` refilling
    adds nobody who would leave a man or a woman alone among the other gender, and with `top_up` a group
    below the target starts at its answer deadline, not before (room for newcomers who fit)."""
    if settings.policy != "lasting":
        return rules
    return replace(rules, refill_lone_gender="hard", start_at_deadline=settings.top_up)


def recent_since(as_of: date, settings: PolicySettings) -> datetime:
    """The earliest registration time that counts as a recent arrival (for the caller's query)."""
    start = as_of - timedelta(days=settings.lookback_days)
    return datetime(start.year, start.month, start.day)


def expected_share_lasting(sizes: Iterable[int], dropout: float) -> float:
    """Of the members of groups of these sizes, the expected share still in a group of four or more."""
    sizes = list(sizes)
    people = sum(sizes)
    return sum(expected_lasting(n, dropout) for n in sizes) / people if people else 0.0


def passthrough(result: Plan) -> Decision:
    return Decision(result.groups, (), result.waiting, result.stats)


def decide_after_change(
    people: Sequence[Person],
    settled: frozenset[Person] | None,
    as_of: date,
    rules: PlanningRules,
    settings: PolicySettings,
    arrivals: Iterable[Person] = (),
) -> Decision | None:
    """`decide` for a district's pool that changed since an earlier plan left `settled` waiting (None:
    not known); None when nobody new could form a group, so that plan's decision stands."""
    if settled is not None and rules.digital_scope == "district":
        new = [p.participant_id for p in people if p not in settled]
        if not newcomer_could_form_a_group(people, new, as_of, rules):
            return None
    return decide(people, as_of, rules, settings, arrivals)
