"""Properties of plan() on generated pools: every group keeps every hard rule, whatever the pool."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.grouping.domain import Person, PlanningRules, plan, validate_groups
from shared.reference import district_of

pytestmark = pytest.mark.unit

AS_OF = date(2026, 3, 2)
# Oslo, Bærum, Halden (same district, Halden far off), Bergen, Askøy, Tromsø, Vardø.
PLACES = ("0301", "3201", "3101", "4601", "4627", "5501", "5634")
SLOTS = ("mon_evening", "tue_evening", "wed_daytime", "sat_daytime")
FAST = PlanningRules(method="heuristic", restarts=2, search_budget=1_500)
REASON_CODES = {
    "under_age",
    "pool_too_small",
    "too_few_nearby",
    "too_few_digital",
    "no_common_slot",
    "same_topic_too_few",
    "cross_topic_too_few",
    "topic_too_few",
    "single_gender_too_few",
    "others_want_single_gender",
    "age_span",
    "placed_elsewhere",
    "no_valid_combination",
}
SETTINGS = settings(max_examples=50, deadline=None)


@st.composite
def people(draw, max_size: int = 30) -> list[Person]:
    size = draw(st.integers(min_value=0, max_value=max_size))
    pool = []
    for k in range(size):
        place = draw(st.sampled_from(PLACES))
        pool.append(
            Person(
                participant_id=f"h{k:03d}",
                birth_date=AS_OF - timedelta(days=draw(st.integers(16 * 365, 80 * 365))),
                gender=draw(st.sampled_from(("female", "female", "male", "male", "other", "unspecified"))),
                municipality=place,
                district=district_of(place),
                topic=draw(st.sampled_from(("grief", "anxiety", "loneliness", "cancer"))),
                composition=draw(st.sampled_from(("same_topic", "cross_topic", "any"))),
                format=draw(st.sampled_from(("in_person", "digital", "any"))),
                availability=tuple(
                    draw(st.lists(st.sampled_from(SLOTS), min_size=1, max_size=4, unique=True))
                ),
                single_gender=draw(st.booleans()),
                registered_at=datetime(2026, 3, 1) - timedelta(days=draw(st.integers(0, 400))),
            )
        )
    return pool


def assert_sound(result, pool: list[Person], rules: PlanningRules) -> None:
    assert validate_groups(result.groups, pool, rules, AS_OF) == []
    placed = [m for g in result.groups for m in g.members]
    waiting = [w.participant_id for w in result.waiting]
    assert len(placed) == len(set(placed))
    assert sorted(placed + waiting) == sorted(p.participant_id for p in pool)
    assert all(w.reasons and {r.code for r in w.reasons} <= REASON_CODES for w in result.waiting)
    assert all(r.text for w in result.waiting for r in w.reasons)


@SETTINGS
@given(people())
def test_every_group_keeps_every_rule_and_everyone_else_is_told_why(pool):
    assert_sound(plan(pool, AS_OF, FAST), pool, FAST)


@SETTINGS
@given(people(), st.integers(0, 3))
def test_the_same_pool_and_seed_give_the_same_plan(pool, seed):
    first = plan(pool, AS_OF, FAST, seed=seed)
    assert plan(list(reversed(pool)), AS_OF, FAST, seed=seed) == first


@SETTINGS
@given(people())
def test_a_hard_lone_gender_rule_is_never_broken(pool):
    rules = PlanningRules(method="heuristic", restarts=2, search_budget=1_500, lone_gender="hard")
    assert_sound(plan(pool, AS_OF, rules), pool, rules)


@SETTINGS
@given(people())
def test_digital_groups_across_the_country_keep_the_rules(pool):
    rules = PlanningRules(method="heuristic", restarts=2, search_budget=1_500, digital_scope="country")
    assert_sound(plan(pool, AS_OF, rules), pool, rules)


@settings(max_examples=25, deadline=None)
@given(people(max_size=12))
def test_the_exact_method_keeps_the_rules_and_places_at_least_as_many(pool):
    exact_rules = PlanningRules(method="exact", exact_deterministic_time=2.0)
    exact = plan(pool, AS_OF, exact_rules)
    assert_sound(exact, pool, exact_rules)
    if all(region.get("proven_optimal") for region in exact.stats["regions"].values()):
        heuristic = plan(pool, AS_OF, FAST)
        assert sum(len(g.members) for g in exact.groups) >= sum(len(g.members) for g in heuristic.groups)
