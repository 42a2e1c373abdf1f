"""plan(): concrete pools, one rule or goal at a time."""

import dataclasses
import random

import pytest

from services.grouping.domain import (
    PlanningRules,
    explain_waiting,
    group_id_for,
    plan,
    plan_after_change,
    validate_groups,
)

pytestmark = pytest.mark.unit

HEURISTIC = PlanningRules(method="heuristic")
EXACT = PlanningRules(method="exact")


def placed_ids(result) -> set[str]:
    return {m for g in result.groups for m in g.members}


def reasons(result) -> dict[str, list[str]]:
    return {w.participant_id: [r.code for r in w.reasons] for w in result.waiting}


@pytest.mark.parametrize("rules", [HEURISTIC, EXACT], ids=["heuristic", "exact"])
def test_four_people_who_fit_together_form_one_group(make_person, as_of, rules):
    people = [
        make_person(municipality=m, gender=g)
        for m, g in (("0301", "female"), ("0301", "male"), ("3201", "female"), ("0301", "male"))
    ]
    result = plan(people, as_of, rules)
    assert len(result.groups) == 1
    group = result.groups[0]
    assert group.members == tuple(sorted(p.participant_id for p in people))
    assert group.group_id == group_id_for(group.members)
    assert (group.slot, group.district) == ("tue_evening", "oslo-ost")
    assert group.municipalities == ("0301", "3201")
    assert group.topics == ("grief",)
    assert result.waiting == ()
    assert validate_groups(result.groups, people, rules, as_of) == []


def test_three_people_are_too_few(make_person, as_of):
    people = [make_person() for _ in range(3)]
    result = plan(people, as_of)
    assert result.groups == ()
    assert {tuple(codes) for codes in reasons(result).values()} == {("pool_too_small",)}
    assert "at least 4" in result.waiting[0].reasons[0].text


def test_a_minor_is_never_placed_and_is_told_why(make_person, as_of):
    minor = make_person(age=17)
    people = [minor] + [make_person() for _ in range(4)]
    result = plan(people, as_of)
    assert minor.participant_id not in placed_ids(result)
    assert reasons(result)[minor.participant_id] == ["under_age"]
    assert len(placed_ids(result)) == 4


def test_people_without_a_common_time_wait(make_person, as_of):
    people = [make_person(availability=(slot,)) for slot in ("mon_evening", "tue_evening", "wed_evening")]
    people += [make_person(availability=("thu_evening",)), make_person(availability=("mon_evening",))]
    result = plan(people, as_of)
    assert result.groups == ()
    assert set(code for codes in reasons(result).values() for code in codes) == {"no_common_slot"}
    text = next(w for w in result.waiting if w.participant_id == people[1].participant_id).reasons[0].text
    assert "Tuesday evening" in text


def test_far_apart_people_meet_digitally_if_they_accept_it(make_person, as_of):
    far = ("5501", "5634", "1804", "1806")  # Tromsø, Vardø, Bodø, Narvik: one district, far apart
    in_person = [make_person(municipality=m, format="in_person") for m in far]
    result = plan(in_person, as_of)
    assert result.groups == ()
    assert {codes[0] for codes in reasons(result).values()} == {"too_few_nearby"}
    flexible = [make_person(municipality=m, format="any") for m in far]
    result = plan(flexible, as_of)
    assert [g.format for g in result.groups] == ["digital"]


def test_in_person_and_digital_only_people_are_never_mixed(make_person, as_of):
    people = [make_person(format="in_person") for _ in range(2)] + [
        make_person(format="digital") for _ in range(2)
    ]
    assert plan(people, as_of).groups == ()


def test_neighbouring_municipalities_may_share_an_in_person_group(make_person, as_of):
    people = [make_person(municipality=m, format="in_person") for m in ("0301", "3201", "3203", "3222")]
    result = plan(people, as_of)
    assert len(result.groups) == 1 and result.groups[0].format == "in_person"


def test_a_digital_group_stays_in_its_district_unless_the_scope_is_the_country(make_person, as_of):
    people = [make_person(municipality=m, format="digital") for m in ("0301", "0301", "4601", "4601")]
    assert plan(people, as_of).groups == ()
    national = plan(people, as_of, PlanningRules(digital_scope="country"))
    assert len(national.groups) == 1
    assert national.groups[0].district in {"oslo-ost", "vest"}
    assert validate_groups(national.groups, people, PlanningRules(digital_scope="country"), as_of) == []


def test_a_same_topic_wish_keeps_others_topics_out(make_person, as_of):
    wisher = make_person(composition="same_topic", topic="grief")
    people = [wisher] + [make_person(topic="anxiety") for _ in range(4)]
    result = plan(people, as_of)
    assert wisher.participant_id not in placed_ids(result)
    assert reasons(result)[wisher.participant_id] == ["same_topic_too_few"]
    assert len(placed_ids(result)) == 4


def test_a_cross_topic_wish_needs_a_second_topic(make_person, as_of):
    people = [make_person(composition="cross_topic")] + [make_person() for _ in range(3)]
    assert plan(people, as_of).groups == ()
    people.append(make_person(topic="anxiety"))
    result = plan(people, as_of)
    assert len(placed_ids(result)) == 5
    assert result.groups[0].topics == ("anxiety", "grief")


def test_a_single_gender_wish_is_kept(make_person, as_of):
    wisher = make_person(gender="female", single_gender=True)
    men = [make_person(gender="male") for _ in range(3)]
    result = plan([wisher, *men], as_of)
    assert result.groups == ()
    assert reasons(result)[wisher.participant_id] == ["single_gender_too_few"]
    women = [make_person(gender="female") for _ in range(3)]
    men.append(make_person(gender="male"))
    result = plan([wisher, *men, *women], as_of)
    assert {frozenset(g.members) for g in result.groups} == {
        frozenset(p.participant_id for p in [wisher, *women]),
        frozenset(p.participant_id for p in men),
    }


def test_the_age_span_splits_the_generations(make_person, as_of):
    young = [make_person(age=a) for a in (20, 22, 25, 28)]
    old = [make_person(age=a) for a in (60, 62, 66, 70)]
    result = plan(young + old, as_of)
    assert sorted(len(g.members) for g in result.groups) == [4, 4]
    for group in result.groups:
        assert group.members in (
            tuple(sorted(p.participant_id for p in young)),
            tuple(sorted(p.participant_id for p in old)),
        )


def test_with_room_for_only_some_the_longest_waiting_go_first(make_person, as_of):
    rules = PlanningRules(min_size=4, max_size=4, target_size=4)
    people = [make_person(waited_days=d) for d in (10, 300, 200, 100, 50)]
    result = plan(people, as_of, rules)
    assert [w.participant_id for w in result.waiting] == [people[0].participant_id]
    assert reasons(result)[people[0].participant_id] == ["placed_elsewhere"]


def test_no_lone_man_when_a_better_split_places_as_many(make_person, as_of):
    rules = PlanningRules(max_size=6, target_size=5)
    people = [make_person(gender="female") for _ in range(6)] + [make_person(gender="male") for _ in range(2)]
    result = plan(people, as_of, rules)
    assert len(placed_ids(result)) == 8
    assert result.stats["lone_gender_groups"] == 0


def test_a_lone_man_is_placed_rather_than_left_waiting_unless_the_rule_is_hard(make_person, as_of):
    man = make_person(gender="male")
    people = [make_person(gender="female") for _ in range(4)] + [man]
    assert man.participant_id in placed_ids(plan(people, as_of))
    strict = plan(people, as_of, PlanningRules(lone_gender="hard"))
    assert man.participant_id not in placed_ids(strict)
    assert len(placed_ids(strict)) == 4


def test_groups_grow_towards_the_target_size(make_person, as_of):
    people = [make_person(gender=("female", "male")[k % 2]) for k in range(14)]
    result = plan(people, as_of)
    assert sorted(len(g.members) for g in result.groups) == [7, 7]


def test_the_same_input_in_any_order_gives_the_same_plan(make_person, as_of):
    rng = random.Random(3)
    people = [
        make_person(
            age=rng.randint(18, 80),
            gender=rng.choice(("female", "male")),
            topic=rng.choice(("grief", "anxiety", "loneliness")),
            availability=tuple(rng.sample(("mon_evening", "tue_evening", "wed_daytime"), 2)),
            municipality=rng.choice(("0301", "3201", "3205")),
        )
        for _ in range(30)
    ]
    first = plan(people, as_of, HEURISTIC, seed=5)
    shuffled = people[:]
    rng.shuffle(shuffled)
    assert plan(shuffled, as_of, HEURISTIC, seed=5) == first


def test_districts_are_planned_independently_and_in_parallel_alike(make_person, as_of):
    people = [make_person(municipality=m) for m in ("0301",) * 5 + ("4601",) * 5 + ("5001",) * 3]
    serial = plan(people, as_of)
    parallel = plan(people, as_of, PlanningRules(workers=2))
    assert serial == parallel
    assert sorted(g.district for g in serial.groups) == ["oslo-ost", "vest"]
    assert set(serial.stats["regions"]) == {"oslo-ost", "vest", "midt"}


def test_a_participant_id_may_appear_only_once(make_person, as_of):
    one = make_person(participant_id="same")
    with pytest.raises(ValueError, match="more than once"):
        plan([one, make_person(participant_id="same")], as_of)


def test_explain_waiting_says_why_for_one_person(make_person, as_of):
    wisher = make_person(composition="same_topic", topic="cancer")
    pool = [make_person(topic="anxiety") for _ in range(5)]
    (reason,) = explain_waiting(wisher, pool, PlanningRules(), as_of)
    assert reason.code == "same_topic_too_few"
    assert "cancer" in reason.text


def test_exact_and_heuristic_agree_on_a_small_pool(make_person, as_of):
    rng = random.Random(8)
    people = [
        make_person(
            age=rng.randint(25, 45),
            gender=rng.choice(("female", "male")),
            topic=rng.choice(("grief", "anxiety")),
            composition=rng.choice(("any", "same_topic")),
            availability=tuple(rng.sample(("mon_evening", "tue_evening", "wed_evening"), 2)),
        )
        for _ in range(14)
    ]
    heuristic = plan(people, as_of, HEURISTIC)
    exact = plan(people, as_of, EXACT)
    assert exact.stats["regions"]["oslo-ost"]["proven_optimal"]
    assert len(placed_ids(heuristic)) == len(placed_ids(exact))


# --- re-planning a district after a change (plan_after_change) -----------------------------------------
def test_a_newcomer_who_could_not_form_a_group_with_anyone_gets_the_reasons_without_a_search(
    make_person, as_of
):
    settled = [make_person(availability=("tue_evening",)) for _ in range(3)]  # too few: the earlier plan
    newcomer = make_person(availability=("fri_daytime",))  # shares no time with anyone

    result, searched = plan_after_change([*settled, newcomer], frozenset(settled), as_of)

    assert not searched
    assert result.groups == ()
    assert result.waiting == plan([*settled, newcomer], as_of).waiting  # the reasons the search gives
    assert result.stats["regions"]["oslo-ost"]["method"].startswith("reasons only")


def test_a_newcomer_who_completes_a_group_is_planned_as_usual(make_person, as_of):
    settled = [make_person() for _ in range(3)]
    newcomer = make_person(gender="male")

    result, searched = plan_after_change([*settled, newcomer], frozenset(settled), as_of)

    assert searched
    assert placed_ids(result) == {p.participant_id for p in [*settled, newcomer]}


def test_someone_whose_details_changed_counts_as_new(make_person, as_of):
    settled = [make_person() for _ in range(3)] + [make_person(availability=("fri_daytime",), gender="male")]
    # The fourth now says they can come on Tuesday evenings as well: a group is possible.
    changed = dataclasses.replace(settled[3], availability=("tue_evening", "fri_daytime"))

    result, _ = plan_after_change([*settled[:3], changed], frozenset(settled), as_of)

    assert len(result.groups) == 1


def test_re_planning_a_stream_of_arrivals_gives_the_plans_of_a_full_search(make_person, as_of):
    # A district fed a few people at a time, re-planned after each arrival: skipping the search where no
    # newcomer can form a group changes no plan.
    rng = random.Random(7)
    slots = ("mon_evening", "tue_evening", "wed_daytime", "thu_evening")
    arrivals = [
        make_person(
            age=rng.randint(20, 75),
            gender=rng.choice(("female", "female", "male")),
            topic=rng.choice(("grief", "anxiety", "loneliness")),
            composition=rng.choice(("same_topic", "any", "any")),
            availability=tuple(rng.sample(slots, rng.randint(1, 2))),
            municipality=rng.choice(("0301", "3201", "3203")),
        )
        for _ in range(120)
    ]
    rules = PlanningRules(search_budget=6_000)
    waiting, settled, skipped = [], frozenset(), 0
    for k in range(0, len(arrivals), 3):
        waiting += arrivals[k : k + 3]
        full = plan(waiting, as_of, rules)
        after_change, searched = plan_after_change(waiting, settled, as_of, rules)
        assert after_change.groups == full.groups and after_change.waiting == full.waiting
        skipped += not searched
        placed = placed_ids(full)
        waiting = [p for p in waiting if p.participant_id not in placed]
        settled = frozenset(waiting)
    assert skipped > 5  # the shortcut was taken, not only the search
