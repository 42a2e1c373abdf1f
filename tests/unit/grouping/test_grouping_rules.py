"""validate_group: each hard rule of a group, broken one at a time."""

from datetime import date

import pytest

from services.grouping.domain import PlanningRules, ProposedGroup, age_on, group_id_for, validate_group
from services.grouping.planning.rules import has_lone_gender, validate_groups

pytestmark = pytest.mark.unit

RULES = PlanningRules()


def group_of(people, slot="tue_evening", fmt="in_person", district=None) -> ProposedGroup:
    ids = tuple(sorted(p.participant_id for p in people))
    return ProposedGroup(
        group_id=group_id_for(ids),
        members=ids,
        slot=slot,
        format=fmt,
        topics=tuple(sorted({p.topic for p in people})),
        municipalities=tuple(sorted({p.municipality for p in people})),
        district=district or people[0].district,
    )


def check(people, as_of, **group_args) -> list[str]:
    return validate_group(group_of(people, **group_args), people, RULES, as_of)


def test_four_compatible_neighbours_form_a_valid_group(make_person, as_of):
    people = [make_person(municipality=m) for m in ("0301", "0301", "3201", "3205")]
    assert check(people, as_of) == []


@pytest.mark.parametrize("size", [3, 9])
def test_a_group_has_four_to_eight_members(make_person, as_of, size):
    people = [make_person() for _ in range(size)]
    assert any("size" in v for v in check(people, as_of))


def test_every_member_is_an_adult_on_the_start_date(make_person, as_of):
    people = [make_person(age=17, topic="grief")] + [make_person(age=20) for _ in range(3)]
    assert any("under 18" in v for v in check(people, as_of))


def test_age_is_counted_in_completed_years():
    assert age_on(date(2008, 3, 2), date(2026, 3, 2)) == 18
    assert age_on(date(2008, 3, 3), date(2026, 3, 2)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17


def test_the_age_span_is_at_most_fifteen_years(make_person, as_of):
    within = [make_person(age=a) for a in (30, 35, 40, 45)]
    beyond = [make_person(age=a) for a in (30, 35, 40, 46)]
    assert check(within, as_of) == []
    assert any("age span 16" in v for v in check(beyond, as_of))


def test_every_member_is_available_at_the_slot(make_person, as_of):
    people = [make_person() for _ in range(3)] + [make_person(availability=("wed_evening",))]
    assert any("not available tue_evening" in v for v in check(people, as_of))


def test_an_in_person_group_lives_in_neighbouring_municipalities(make_person, as_of):
    people = [make_person() for _ in range(3)] + [make_person(municipality="3101")]  # Halden, far from Oslo
    assert any("not neighbouring" in v for v in check(people, as_of))


def test_a_digital_group_may_span_its_district_but_not_two(make_person, as_of):
    spread = [make_person(municipality=m) for m in ("5501", "5634", "1804", "1806")]  # all in nord
    assert check(spread, as_of, fmt="digital") == []
    mixed = spread[:3] + [make_person(municipality="4601")]
    assert any("more than one district" in v for v in check(mixed, as_of, fmt="digital"))
    country = PlanningRules(digital_scope="country")
    assert validate_group(group_of(mixed, fmt="digital"), mixed, country, as_of) == []


def test_meeting_format_wishes_are_respected(make_person, as_of):
    online_only = [make_person(format="digital")] + [make_person() for _ in range(3)]
    assert any("does not accept a in_person group" in v for v in check(online_only, as_of))
    in_person_only = [make_person(format="in_person")] + [make_person() for _ in range(3)]
    assert any("does not accept a digital group" in v for v in check(in_person_only, as_of, fmt="digital"))


def test_a_same_topic_wish_needs_one_topic(make_person, as_of):
    people = [make_person(composition="same_topic")] + [make_person(topic="anxiety") for _ in range(3)]
    assert any("same-topic" in v for v in check(people, as_of))


def test_a_cross_topic_wish_needs_two_topics(make_person, as_of):
    people = [make_person(composition="cross_topic")] + [make_person() for _ in range(3)]
    assert any("cross-topic" in v for v in check(people, as_of))
    people[1] = make_person(topic="anxiety")
    assert check(people, as_of) == []


def test_a_single_gender_wish_needs_one_gender(make_person, as_of):
    people = (
        [make_person(single_gender=True)] + [make_person() for _ in range(2)] + [make_person(gender="male")]
    )
    assert any("single-gender" in v for v in check(people, as_of))
    people[3] = make_person()
    assert check(people, as_of) == []


def test_a_lone_man_is_allowed_unless_the_rule_is_made_hard(make_person, as_of):
    people = [make_person() for _ in range(3)] + [make_person(gender="male")]
    assert check(people, as_of) == []
    hard = PlanningRules(lone_gender="hard")
    assert validate_group(group_of(people), people, hard, as_of) == [
        "a lone man or woman among the other gender"
    ]


def test_lone_gender_means_exactly_one_man_or_woman_among_the_other():
    assert has_lone_gender(["female", "female", "female", "male"])
    assert has_lone_gender(["male", "male", "female", "other"])
    assert not has_lone_gender(["female", "female", "male", "male"])
    assert not has_lone_gender(["female", "female", "female", "other"])


def test_group_details_must_match_the_members(make_person, as_of):
    people = [make_person() for _ in range(4)]
    group = group_of(people)
    wrong = ProposedGroup(
        group.group_id, group.members, group.slot, group.format, ("anxiety",), ("0301",), "vest"
    )
    problems = validate_group(wrong, people, RULES, as_of)
    assert "topics do not match the members" in problems
    assert any("not in district vest" in p for p in problems)


def test_nobody_is_placed_in_two_groups(make_person, as_of):
    people = [make_person() for _ in range(7)]
    groups = [group_of(people[:4]), group_of(people[3:])]
    assert validate_groups(groups, people, RULES, as_of) == [
        f"{people[3].participant_id} is placed in 2 groups"
    ]


def test_unknown_members_are_reported(make_person, as_of):
    people = [make_person() for _ in range(4)]
    assert validate_group(group_of(people), people[:3], RULES, as_of)[0].startswith("unknown participant")


def test_the_group_id_depends_only_on_who_is_in_it():
    assert group_id_for(["b", "a", "c"]) == group_id_for(("a", "b", "c"))
    assert group_id_for(["a", "b", "c"]) != group_id_for(["a", "b", "d"])
