"""Issue 23 item 4 in the simulation: a share of people still waiting when the service would nudge them
take the first option offered, and the simulation says how many did (0 by default)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.grouping.domain import Person, PlanningRules
from services.grouping.nudges import take
from services.grouping.planning.policy import PolicySettings
from services.grouping.simulation import InvitationModel, Simulation

pytestmark = pytest.mark.unit

START = date(2027, 1, 4)
RULES = PlanningRules(method="heuristic", search_budget=2000, restarts=1)


def person(k: int, slot: str, day: int = 0) -> Person:
    return Person(
        participant_id=f"p{k:02d}",
        birth_date=date(1980, 1, 1),
        gender="female",
        municipality="0301",
        district="oslo",
        topic="grief",
        composition="same_topic",
        format="in_person",
        availability=(slot,),
        single_gender=False,
        registered_at=datetime.combine(START + timedelta(days=day), datetime.min.time(), UTC),
    )


def arrivals() -> list[Person]:
    # Three can meet on Tuesdays, one only on Wednesdays: no group until she adds Tuesday evening.
    return [person(k, "tue_evening") for k in range(3)] + [person(9, "wed_evening")]


def run(share: float) -> Simulation:
    simulation = Simulation(
        arrivals(),
        RULES,
        PolicySettings(policy="asap"),
        InvitationModel(decline=0, no_answer=0, nudge_take_share=share),
    )
    simulation.result = simulation.run(START + timedelta(days=40))
    return simulation


def test_nobody_takes_an_option_by_default_so_nobody_is_placed():
    simulation = run(0.0)
    assert simulation.result.stats["nudges_taken"] == 0
    assert simulation.result.groups == []


def test_someone_who_takes_the_option_gets_a_group_on_the_day_of_the_nudge():
    simulation = run(1.0)
    assert simulation.result.stats["nudges_taken"] == 1
    [group] = simulation.result.groups
    assert sorted(group.proposal.members) == ["p00", "p01", "p02", "p09"]
    assert group.formed_at == START + timedelta(days=InvitationModel().nudge_after_days)
    assert "tue_evening" in simulation.people["p09"].availability
    assert simulation.result.violations == []


def test_taking_an_option_changes_only_what_it_names():
    someone = person(1, "tue_evening")
    assert take(someone, {"code": "digital", "params": {}}).format == "any"
    assert take(someone, {"code": "cross_topic", "params": {}}).composition == "any"
    assert take(someone, {"code": "more_times", "params": {"slots": ["thu_evening"]}}).availability == (
        "tue_evening",
        "thu_evening",
    )
    moved = take(someone, {"code": "neighbour_municipality", "params": {"municipality": "3201"}})
    assert (moved.municipality, moved.topic, moved.availability) == (
        "3201",
        someone.topic,
        someone.availability,
    )


def test_under_lasting_a_newcomer_who_fits_joins_a_proposed_group_before_its_deadline():
    # Four form a group on the first day (nobody else like them has come: holding is pointless); a fifth
    # who fits arrives three days later, after all four accepted, and is invited before the group starts.
    people = [person(k, "tue_evening") for k in range(4)] + [person(5, "tue_evening", day=3)]
    everyone_accepts = InvitationModel(decline=0, no_answer=0)
    result = Simulation(people, RULES, PolicySettings(), everyone_accepts).run(START + timedelta(days=30))
    [group] = result.groups
    assert group.size_at_forming == 4 and group.status == "started"
    assert sorted(group.accepted) == ["p00", "p01", "p02", "p03", "p05"]
    assert group.started_at >= START + timedelta(days=everyone_accepts.invitation_days)
