"""What would get a waiting person a group sooner: each option is offered only when, taken alone, it lets a
group form with the people waiting now."""

from __future__ import annotations

import pytest

from services.grouping.domain import PlanningRules
from services.grouping.nudges import options_for

pytestmark = pytest.mark.unit

RULES = PlanningRules()


def codes(options: list[dict]) -> list[str]:
    return [option["code"] for option in options]


def test_someone_who_only_meets_in_person_is_offered_digital_groups_when_enough_wait_for_one(
    make_person, as_of
):
    me = make_person(municipality="1804", format="in_person")
    others = [make_person(municipality="5501", format="digital") for _ in range(3)]  # Tromsø: out of reach
    assert codes(options_for(me, others, RULES, as_of)) == ["digital"]


def test_times_are_suggested_when_enough_people_nearby_meet_at_another_time(make_person, as_of):
    me = make_person(availability=("tue_evening",))
    others = [make_person(availability=("wed_evening", "thu_daytime")) for _ in range(3)]
    options = options_for(me, others, RULES, as_of)
    assert options == [{"code": "more_times", "params": {"slots": ["wed_evening", "thu_daytime"]}}]


def test_at_most_three_times_are_suggested_in_week_order(make_person, as_of):
    me = make_person(availability=("sun_evening",))
    slots = ("mon_daytime", "mon_evening", "tue_evening", "wed_evening")
    others = [make_person(availability=slots) for _ in range(3)]
    (option,) = options_for(me, others, RULES, as_of)
    assert option["params"]["slots"] == ["mon_daytime", "mon_evening", "tue_evening"]


def test_groups_across_topics_are_offered_to_someone_who_wants_their_own_topic_only(make_person, as_of):
    me = make_person(topic="grief", composition="same_topic")
    others = [make_person(topic="anxiety", composition="any") for _ in range(3)]
    assert codes(options_for(me, others, RULES, as_of)) == ["cross_topic"]


def test_a_neighbouring_municipality_beyond_the_persons_reach_is_offered_nearest_first(make_person, as_of):
    me = make_person(municipality="1804", format="in_person")  # Bodø
    others = [make_person(municipality="1840", format="in_person") for _ in range(3)]  # Saltdal, 47 km
    options = options_for(me, others, RULES, as_of)
    assert options == [{"code": "neighbour_municipality", "params": {"municipality": "1840"}}]


def test_nothing_is_offered_when_no_single_choice_would_make_a_group(make_person, as_of):
    me = make_person(topic="grief", composition="same_topic", availability=("tue_evening",))
    others = [
        make_person(topic="anxiety", composition="any", availability=("wed_evening",)) for _ in range(3)
    ]
    assert options_for(me, others, RULES, as_of) == []


def test_nothing_is_offered_when_a_group_can_already_form_or_to_someone_under_age(make_person, as_of):
    others = [make_person() for _ in range(3)]
    assert options_for(make_person(), others, RULES, as_of) == []
    assert options_for(make_person(age=16), [make_person(age=18) for _ in range(3)], RULES, as_of) == []


def test_too_few_others_are_never_hinted_at(make_person, as_of):
    """Two others who would fit with every change: no option, since no group of four could form."""
    me = make_person(format="in_person", composition="same_topic", availability=("tue_evening",))
    others = [make_person(format="digital", topic="anxiety", availability=("wed_evening",)) for _ in range(2)]
    assert options_for(me, others, RULES, as_of) == []
