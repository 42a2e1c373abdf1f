"""A group's own decisions: the majority of those who answered within the deadline decides, a tie keeps
things as they are, no answer asks the district office, and the deadline counts on a set clock."""

from datetime import UTC, date, datetime

import pytest

from services.grouping.decision_rules import (
    Change,
    Kind,
    Outcome,
    Result,
    SmallGroup,
    Vote,
    choices,
    deadline,
    merge_candidates,
    outcome,
    remaining_group,
    validate_change,
)
from services.grouping.domain import PlanningRules
from tests.unit.grouping.conftest import AS_OF, person

pytestmark = pytest.mark.unit

OPENED = datetime(2026, 3, 2, 12, tzinfo=UTC)
DEADLINE = deadline(OPENED, 7)
BEFORE = datetime(2026, 3, 8, 12, tzinfo=UTC)
AFTER = datetime(2026, 3, 9, 12, tzinfo=UTC)


def test_the_deadline_is_seven_days_after_opening_by_default():
    assert DEADLINE == datetime(2026, 3, 9, 12, tzinfo=UTC)
    assert outcome([], members=3, deadline=DEADLINE, now=DEADLINE).result is Result.no_answer


def test_the_majority_of_those_who_answered_decides_at_the_deadline():
    # Two of five members answered, both for ending: the three who kept silent do not count.
    votes = [Vote("end"), Vote("end")]
    assert outcome(votes, members=5, deadline=DEADLINE, now=BEFORE) == Outcome(Result.pending)
    assert outcome(votes, members=5, deadline=DEADLINE, now=AFTER) == Outcome(Result.end)


def test_a_tie_keeps_things_as_they_are():
    assert outcome([Vote("yes"), Vote("no")], members=3, deadline=DEADLINE, now=AFTER).result is Result.kept
    three_ways = [Vote("end"), Vote("merge"), Vote("newcomers", 2)]
    assert outcome(three_ways, members=3, deadline=DEADLINE, now=BEFORE).result is Result.kept
    # Without more than half of the answers no choice wins, though it has the most.
    plurality = [Vote("end"), Vote("end"), Vote("merge"), Vote("newcomers", 1)]
    assert outcome(plurality, members=4, deadline=DEADLINE, now=AFTER).result is Result.kept


def test_no_answer_by_the_deadline_asks_the_district_office():
    assert outcome([], members=3, deadline=DEADLINE, now=BEFORE).result is Result.pending
    assert outcome([], members=3, deadline=DEADLINE, now=AFTER).result is Result.no_answer


def test_when_everyone_has_answered_the_decision_need_not_wait():
    votes = [Vote("yes"), Vote("yes"), Vote("no")]
    assert outcome(votes, members=3, deadline=DEADLINE, now=OPENED).result is Result.yes
    assert outcome(votes[:2], members=3, deadline=DEADLINE, now=OPENED).result is Result.pending


def test_newcomers_how_many_the_most_asked_for_and_fewer_on_a_tie():
    votes = [Vote("newcomers", 2), Vote("newcomers", 3), Vote("newcomers", 2)]
    assert outcome(votes, members=3, deadline=DEADLINE, now=AFTER) == Outcome(Result.newcomers, 2)
    tie = [Vote("newcomers", 3), Vote("newcomers", 1)]
    assert outcome(tie, members=3, deadline=DEADLINE, now=AFTER) == Outcome(Result.newcomers, 1)


def test_the_choices_of_each_kind():
    assert choices(Kind.below_minimum) == ("newcomers", "merge", "end")
    assert choices(Kind.below_minimum, merge_possible=False) == ("newcomers", "end")
    assert choices(Kind.change) == choices(Kind.merge) == ("yes", "no")


def test_a_proposed_change_is_checked_before_the_vote():
    today = date(2026, 12, 1)
    assert validate_change(Change.frequency, today=today, interval_weeks=2) is None
    assert validate_change(Change.frequency, today=today, interval_weeks=3) == "frequency_invalid"
    christmas = {"pause_from": date(2026, 12, 20), "pause_until": date(2027, 1, 4)}
    assert validate_change(Change.pause, today=today, **christmas) is None
    assert validate_change(Change.pause, today=date(2026, 12, 21), **christmas) == "pause_in_past"
    backwards = {"pause_from": date(2027, 1, 4), "pause_until": date(2026, 12, 20)}
    assert validate_change(Change.pause, today=today, **backwards) == "pause_order"
    too_long = {"pause_from": date(2026, 12, 20), "pause_until": date(2027, 6, 1)}
    assert validate_change(Change.pause, today=today, **too_long) == "pause_too_long"
    assert validate_change(Change.pause, today=today) == "pause_dates_missing"
    assert validate_change(Change.end, today=today) is None


def small(group_id: str, size: int, *, slot="tue_evening", municipality="0301", age=40) -> SmallGroup:
    return SmallGroup(
        group_id,
        slot,
        "in_person",
        tuple(person(municipality=municipality, availability=(slot,), age=age) for _ in range(size)),
    )


def test_a_merge_partner_is_small_in_the_same_slot_and_area_and_keeps_the_rules():
    rules = PlanningRules()
    mine = small("a", 3)
    fitting = small("b", 3)
    other_slot = small("c", 3, slot="wed_evening")
    too_big = small("d", 7)
    far_away = small("e", 3, municipality="5501")  # Hammerfest is no evening's trip from Oslo
    ages_apart = small("f", 3, age=70)
    found = merge_candidates(mine, [fitting, other_slot, too_big, far_away, ages_apart, mine], rules, AS_OF)
    assert [g.group_id for g in found] == ["b"]


def test_the_larger_group_remains_and_the_asked_one_on_equal_sizes():
    a, b = small("a", 3), small("b", 2)
    assert remaining_group(a, b) == (a, b)
    assert remaining_group(b, a) == (a, b)
    c = small("c", 3)
    assert remaining_group(a, c) == (a, c)
