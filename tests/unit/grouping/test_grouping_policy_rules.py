"""The grouping policy (planning/policy.py) and its simulation over days (simulation.py, `simulate`)."""

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from services.grouping.domain import Person, PlanningRules
from services.grouping.planning.policy import (
    HELD_REASON,
    PolicySettings,
    decide,
    expected_lasting,
    newcomer_could_form_a_group,
    survival,
    top_up_candidates,
)
from services.grouping.simulate_cli import main as simulate_main
from services.grouping.simulation import InvitationModel, Simulation

pytestmark = pytest.mark.unit

TODAY = date(2026, 3, 2)
RULES = PlanningRules(method="heuristic", search_budget=2000, restarts=1)
LASTING = PolicySettings()
ASAP = PolicySettings(policy="asap")


def person(k: int, days_ago: int, **changes) -> Person:
    values = {
        "participant_id": f"p{k:03d}",
        "birth_date": date(1980, 1, 1) + timedelta(days=40 * k),
        "gender": "female" if k % 2 else "male",
        "municipality": "0301",
        "district": "oslo-ost",
        "topic": "grief",
        "composition": "any",
        "format": "in_person",
        "availability": ("tue_evening",),
        "single_gender": False,
        "registered_at": datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), UTC),
    }
    values.update(changes)
    return Person(**values)


def test_survival_follows_the_domain_numbers():
    assert [round(survival(n, 0.2), 2) for n in (4, 5, 6, 7, 8)] == [0.41, 0.74, 0.9, 0.97, 0.99]
    # A larger group keeps a larger share of its members in a group of four or more, at any dropout.
    for dropout in (0.1, 0.2, 0.3):
        shares = [expected_lasting(n, dropout) / n for n in range(4, 9)]
        assert shares == sorted(shares)


def test_asap_forms_a_group_of_four_at_once():
    four = [person(k, days_ago=10 - k) for k in range(4)]
    decision = decide(four, TODAY, RULES, ASAP, arrivals=four)
    assert [len(g.members) for g in decision.form] == [4] and decision.held == ()


def test_lasting_holds_four_while_a_fitting_arrival_is_likely_and_says_why():
    four = [person(k, days_ago=10 - k) for k in range(4)]
    earlier = [person(20 + k, days_ago=5 * k + 1) for k in range(8)]  # people like them keep coming
    decision = decide(four, TODAY, RULES, LASTING, arrivals=[*earlier, *four])
    assert decision.form == () and [len(g.members) for g in decision.held] == [4]
    assert {w.reasons[0].code for w in decision.waiting} == {HELD_REASON}


def test_lasting_forms_four_when_nobody_who_fits_is_coming():
    four = [person(k, days_ago=10 - k) for k in range(4)]
    strangers = [person(20 + k, days_ago=k + 1, availability=("mon_daytime",)) for k in range(8)]
    decision = decide(four, TODAY, RULES, LASTING, arrivals=[*strangers, *four])
    assert [len(g.members) for g in decision.form] == [4]


def test_lasting_forms_four_once_holding_would_pass_a_limit():
    earlier = [person(20 + k, days_ago=5 * k + 1) for k in range(8)]
    # The newest registered max_hold_days ago: the group has waited long enough for a fifth.
    four = [person(k, days_ago=LASTING.max_hold_days + 3 - k) for k in range(4)]
    assert [len(g.members) for g in decide(four, TODAY, RULES, LASTING, [*earlier, *four]).form] == [4]
    # Someone in it reached the wait limit.
    four = [person(0, days_ago=LASTING.wait_limit_days), *(person(k, days_ago=2) for k in range(1, 4))]
    assert [len(g.members) for g in decide(four, TODAY, RULES, LASTING, [*earlier, *four]).form] == [4]


def test_lasting_forms_two_groups_of_six_rather_than_three_of_four():
    twelve = [person(k, days_ago=3) for k in range(12)]
    decision = decide(twelve, TODAY, RULES, LASTING, arrivals=twelve)
    assert sorted(len(g.members) for g in decision.form) == [6, 6] and decision.held == ()


def test_top_up_fills_a_proposed_group_to_the_target_size_with_people_who_fit():
    members = [person(k, days_ago=3) for k in range(4)]
    pool = [
        person(10, days_ago=1),
        person(11, days_ago=2),
        person(12, days_ago=9, availability=("mon_daytime",)),  # cannot meet then
        person(13, days_ago=5),
        person(14, days_ago=4),
    ]
    chosen = top_up_candidates(members, "tue_evening", "in_person", pool, RULES, LASTING, TODAY)
    assert [p.participant_id for p in chosen] == ["p013", "p014", "p011"]  # longest-waiting first, to 7
    assert top_up_candidates(members, "tue_evening", "in_person", pool, RULES, ASAP, TODAY) == []


def test_a_plan_is_needed_only_when_someone_new_could_form_a_group():
    three = [person(k, days_ago=3) for k in range(3)]
    misfit = person(9, days_ago=0, availability=("mon_daytime",))
    assert not newcomer_could_form_a_group([*three, misfit], ["p009"], TODAY, RULES)
    fit = person(8, days_ago=0)
    assert newcomer_could_form_a_group([*three, fit], ["p008"], TODAY, RULES)


def _arrivals(count: int) -> list[Person]:
    # One a day, alike: each policy forms groups from them; nothing is left to chance but the answers.
    return [
        person(k, days_ago=60 - k, birth_date=date(1980, 1, 1) + timedelta(days=20 * k)) for k in range(count)
    ]


@pytest.mark.parametrize("settings", [ASAP, LASTING], ids=["asap", "lasting"])
def test_the_simulation_is_deterministic_and_keeps_the_rules(settings):
    until = TODAY + timedelta(days=40)
    runs = [
        Simulation(_arrivals(30), RULES, settings, InvitationModel(), seed=3).run(until) for _ in range(2)
    ]
    first, second = runs
    assert first.stats == second.stats
    assert first.violations == [] and first.groups
    placed = {m for g in first.groups for m in g.accepted + list(g.pending)}
    waiting = {w.participant_id for w in first.waiting}
    assert not placed & waiting and not placed & set(first.left)


def test_lasting_forms_larger_groups_than_asap_in_the_simulation():
    until = TODAY + timedelta(days=40)
    sizes = {}
    for settings in (ASAP, LASTING):
        result = Simulation(_arrivals(30), RULES, settings, InvitationModel(), seed=3).run(until)
        sizes[settings.policy] = result.stats["mean_size_at_forming"]
    assert sizes["lasting"] > sizes["asap"]


def test_the_simulate_command_writes_the_plan_format_with_formed_at_and_reports_bad_lines(tmp_path, capsys):
    lines = [
        json.dumps(
            {
                "participant_id": p.participant_id,
                "birth_date": p.birth_date.isoformat(),
                "gender": str(p.gender),
                "municipality": p.municipality,
                "topic": str(p.topic),
                "availability": list(p.availability),
                "format": "in_person",
                "registered_at": p.registered_at.isoformat(),
            }
        )
        for p in _arrivals(12)
    ]
    source = tmp_path / "arrivals.jsonl"
    source.write_text("\n".join([*lines, '{"participant_id": "x"}']) + "\n")
    out = tmp_path / "out.json"
    code = simulate_main(
        [
            "simulate",
            "--input",
            str(source),
            "--until",
            "2026-03-30",
            "--output",
            str(out),
            "--policy",
            "asap",
        ]
    )
    assert code == 0
    document = json.loads(out.read_text())
    assert document["groups"] and all(datetime.fromisoformat(g["formed_at"]) for g in document["groups"])
    assert document["invalid"][0]["line"] == 13 and document["violations"] == []
    assert "13:" in capsys.readouterr().err


def test_a_group_with_a_lone_man_waits_for_a_better_mix_up_to_its_limit():
    genders = ("male", "female", "female", "female")
    four = [person(k, days_ago=5, gender=g) for k, g in enumerate(genders)]
    decision = decide(four, TODAY, RULES, LASTING, arrivals=four)  # nobody else is coming, still held
    assert decision.form == () and len(decision.held) == 1
    waited = [person(0, days_ago=LASTING.lone_gender_wait_days, gender="male"), *four[1:]]
    assert [len(g.members) for g in decide(waited, TODAY, RULES, LASTING, arrivals=waited).form] == [4]
