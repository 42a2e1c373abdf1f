"""Newcomers by the group's decision: which candidates the planner proposes, how a vote is decided, and
whom the group's yes invites (services/grouping/newcomer_rules.py)."""

from __future__ import annotations

from datetime import date

import pytest

from services.grouping import newcomer_rules as rules_
from services.grouping.domain import PlanningRules

pytestmark = pytest.mark.unit

RULES = PlanningRules()
AS_OF = date(2026, 3, 2)  # the same day as conftest's make_person counts ages on
SLOT = "tue_evening"


def _group(person, size: int, age: int = 40):
    return [person(age=age + i % 3, gender="female" if i % 2 else "male") for i in range(size)]


def test_the_group_may_ask_for_places_up_to_the_maximum_size(make_person):
    assert rules_.places_left(3, RULES) == 5
    assert rules_.places_left(8, RULES) == 0
    assert rules_.places_left(9, RULES) == 0


def test_candidates_are_the_longest_waiting_who_keep_every_hard_rule_a_few_more_than_wanted(make_person):
    person = make_person
    members = _group(person, 3)
    too_old = person(age=70, waited_days=400)  # age span over 15 years with the group
    elsewhere = person(availability=("mon_daytime",), waited_days=300)  # not free at the group's time
    far = person(municipality="1804", waited_days=250)  # Bodø: not a neighbour of Oslo
    fitting = [person(age=38 + i, waited_days=200 - 10 * i) for i in range(6)]
    proposed = rules_.propose_candidates(
        members,
        SLOT,
        "in_person",
        [*reversed(fitting), too_old, elsewhere, far],
        RULES,
        AS_OF,
        wanted=2,
        extra=2,
    )
    assert [p.participant_id for p in proposed] == [p.participant_id for p in fitting[:4]]


def test_no_candidate_takes_the_group_over_the_maximum_size(make_person):
    person = make_person
    members = _group(person, 8)
    assert (
        rules_.propose_candidates(members, SLOT, "in_person", [person()], RULES, AS_OF, wanted=1, extra=2)
        == []
    )


def test_a_candidate_is_accepted_by_a_majority_of_those_who_voted_on_them(make_person):
    tallies = rules_.tally_votes([(1, True), (1, True), (1, False), (2, True), (2, False), (3, False)])
    assert rules_.accepted_by_vote(tallies[1])  # 2 of 3 who voted
    assert not rules_.accepted_by_vote(tallies[2])  # a tie is no
    assert not rules_.accepted_by_vote(tallies[3])
    assert not rules_.accepted_by_vote(tallies.get(4, rules_.Tally()))  # nobody voted: no
    # Those who did not vote do not count against: one yes and nobody else is a yes.
    assert rules_.accepted_by_vote(rules_.tally_votes([(5, True)])[5])


def test_the_accepted_are_invited_longest_waiting_first_up_to_the_number_wanted_and_fitting_together(
    make_person,
):
    person = make_person
    members = _group(person, 3, age=40)
    first = person(age=44, waited_days=300)
    younger = person(age=28, waited_days=200)  # fits alone (span 14), not with `first` (span 16)
    third = person(age=41, waited_days=100)
    fourth = person(age=42, waited_days=50)
    chosen = rules_.choose_newcomers(
        members, SLOT, "in_person", [fourth, third, younger, first], RULES, AS_OF, places=2
    )
    assert [p.participant_id for p in chosen] == [first.participant_id, third.participant_id]


def test_members_see_an_age_band_not_an_age(make_person):
    assert rules_.age_band(date(1990, 6, 1), date(2026, 3, 2)) == "35–39"
    assert rules_.age_band(date(2008, 3, 2), date(2026, 3, 2)) == "15–19"


def test_the_vote_is_complete_when_every_member_voted_on_every_candidate(make_person):
    assert rules_.everyone_voted(["a", "b"], 3, {"a": 3, "b": 3})
    assert not rules_.everyone_voted(["a", "b"], 3, {"a": 3, "b": 2})
    assert not rules_.everyone_voted([], 3, {})
