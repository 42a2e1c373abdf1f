"""The `lasting` policy's planner score (issue 23): a group is worth its expected members still there after
the first weeks, in both the heuristic and the exact search, and that search forms no lone man or woman."""

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from services.grouping.lifecycle import Answers, StartDecision, backfill_candidates, decide_start
from services.grouping.planning.model import Person, PlanningRules
from services.grouping.planning.plan import plan
from services.grouping.planning.policy import (
    PolicySettings,
    expected_lasting,
    lasting_size_value,
    refill_rules,
)

pytestmark = pytest.mark.unit

AS_OF = date(2027, 3, 1)


def person(n: int, gender: str = "female") -> Person:
    return Person(
        participant_id=f"p{n:02d}",
        birth_date=date(1980, 1, 1),
        gender=gender,
        municipality="0301",
        district="oslo",
        topic="grief",
        composition="same_topic",
        format="in_person",
        availability=("tue_evening",),
        single_gender=False,
        registered_at=datetime(2027, 2, 1, 12, tzinfo=UTC),
    )


def lasting_rules(method: str, dropout: float = 0.2) -> PlanningRules:
    rules = PlanningRules(method=method, search_budget=6_000, restarts=2)
    return replace(
        rules,
        lone_gender="hard",
        weights=replace(rules.weights, size_value=lasting_size_value(dropout, rules)),
    )


def test_the_size_value_makes_a_group_worth_its_expected_lasting_members():
    rules = PlanningRules()
    values = lasting_size_value(0.2, rules)
    worth = [rules.weights.placement * n + values[n] for n in range(rules.max_size + 1)]
    # A group of four is worth what asap gives it (four placements); larger ones in proportion to the
    # members expected to stay.
    assert worth[4] == 4 * rules.weights.placement
    for n in range(5, rules.max_size + 1):
        assert worth[n] / worth[4] == pytest.approx(
            expected_lasting(n, 0.2) / expected_lasting(4, 0.2), rel=1e-6
        )
    assert values[: rules.min_size] == (0, 0, 0, 0)


@pytest.mark.parametrize("method", ["heuristic", "exact"])
def test_nine_who_fit_make_one_group_of_eight_not_five_and_four(method):
    people = [person(n) for n in range(9)]
    asap = plan(people, AS_OF, PlanningRules(method=method, search_budget=6_000, restarts=2))
    assert sorted(len(g.members) for g in asap.groups) == [4, 5]
    lasting = plan(people, AS_OF, lasting_rules(method))
    assert [len(g.members) for g in lasting.groups] == [8]


@pytest.mark.parametrize("method", ["heuristic", "exact"])
def test_the_lasting_search_leaves_out_a_lone_man(method):
    people = [person(n) for n in range(4)] + [person(9, "male")]
    asap = plan(people, AS_OF, PlanningRules(method=method, search_budget=6_000, restarts=2))
    assert [len(g.members) for g in asap.groups] == [5]  # placements first: the man is placed, alone
    lasting = plan(people, AS_OF, lasting_rules(method))
    assert [sorted(g.members) for g in lasting.groups] == [["p00", "p01", "p02", "p03"]]


def test_refilling_under_lasting_adds_no_lone_man_and_fixes_one_left_by_a_decline():

    rules = PlanningRules()
    lasting = refill_rules(rules, PolicySettings())
    women = [person(n) for n in range(3)]
    a_man, a_woman = person(20, "male"), person(21)
    # Three women: the longest-waiting candidate is a man, who would be alone; under lasting a woman comes.
    pool = [a_man, a_woman]
    assert backfill_candidates(women, "tue_evening", "in_person", pool, rules, AS_OF, 1) == [a_man]
    assert backfill_candidates(women, "tue_evening", "in_person", pool, lasting, AS_OF, 1) == [a_woman]
    # A man left alone with two women by a decline: a second man is asked first.
    left = [person(30, "male"), *women[:2]]
    waited_longer = replace(a_woman, registered_at=a_man.registered_at - timedelta(days=30))
    candidates = [waited_longer, a_man]
    assert backfill_candidates(left, "tue_evening", "in_person", candidates, rules, AS_OF, 1) == [
        waited_longer
    ]
    assert backfill_candidates(left, "tue_evening", "in_person", candidates, lasting, AS_OF, 1) == [a_man]
    assert refill_rules(rules, PolicySettings(policy="asap")) == rules


def test_under_lasting_a_group_below_the_target_starts_at_its_deadline_not_when_all_have_answered():

    asap, lasting = PlanningRules(), refill_rules(PlanningRules(), PolicySettings())
    all_in = Answers(accepted=5, pending=0, declined=0)
    assert decide_start(all_in, asap, backfill_possible=False, before_deadline=True) is StartDecision.start
    assert decide_start(all_in, lasting, backfill_possible=False, before_deadline=True) is StartDecision.wait
    assert (
        decide_start(all_in, lasting, backfill_possible=False, before_deadline=False) is StartDecision.start
    )
    full = Answers(accepted=lasting.target_size, pending=0, declined=0)
    assert decide_start(full, lasting, backfill_possible=False, before_deadline=True) is StartDecision.start
    # Too few can come: refill or dissolve at once, deadline or not.
    short = Answers(accepted=3, pending=0, declined=1)
    assert (
        decide_start(short, lasting, backfill_possible=False, before_deadline=True) is StartDecision.dissolve
    )
    without_top_up = refill_rules(PlanningRules(), PolicySettings(top_up=False))
    assert (
        decide_start(all_in, without_top_up, backfill_possible=False, before_deadline=True)
        is StartDecision.start
    )
