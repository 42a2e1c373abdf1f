"""The simulation run district by district (simulation_districts.py): the same result on one core or two,
each district as if simulated alone, and the measures taken over all of them."""

from datetime import UTC, date, datetime, timedelta

import pytest

from services.grouping.domain import Person, PlanningRules
from services.grouping.planning.policy import PolicySettings
from services.grouping.simulation import InvitationModel, Simulation
from services.grouping.simulation_districts import simulate

pytestmark = pytest.mark.unit

START = date(2027, 1, 4)
RULES = PlanningRules(method="heuristic", search_budget=2000, restarts=1)
PLACES = {"oslo": "0301", "vest": "4601"}  # Oslo, Bergen


def arrivals() -> list[Person]:
    people = []
    for district, municipality in PLACES.items():
        for k in range(14):
            people.append(
                Person(
                    participant_id=f"{district}-{k:02d}",
                    birth_date=date(1975 + k % 5, 1, 1),
                    gender="female" if k % 3 else "male",
                    municipality=municipality,
                    district=district,
                    topic="grief",
                    composition="any",
                    format="in_person",
                    availability=("tue_evening",),
                    single_gender=False,
                    registered_at=datetime.combine(START + timedelta(days=3 * k), datetime.min.time(), UTC),
                )
            )
    return people


def test_one_core_or_two_give_the_same_result_and_each_district_is_its_own_simulation():
    people, until = arrivals(), START + timedelta(days=60)
    settings, model = PolicySettings(), InvitationModel()
    one = simulate(people, until, RULES, settings, model, seed=5, workers=1)
    two = simulate(people, until, RULES, settings, model, seed=5, workers=2)
    assert one.stats == two.stats
    assert [g.proposal for g in one.groups] == [g.proposal for g in two.groups]
    assert one.violations == [] and one.groups
    alone = Simulation(
        [p for p in people if p.district == "vest"], RULES, settings, model, seed=5, stream="vest"
    ).run(until)
    assert [g.proposal for g in one.groups if g.proposal.district == "vest"] == [
        g.proposal for g in alone.groups
    ]
    # The measures are over everyone: arrivals of both districts, groups of both.
    assert one.stats["arrivals"] == len(people)
    assert {g.proposal.district for g in one.groups} == set(PLACES)
    assert one.stats["plans"] == sum(
        Simulation([p for p in people if p.district == d], RULES, settings, model, seed=5, stream=d)
        .run(until)
        .stats["plans"]
        for d in PLACES
    )
