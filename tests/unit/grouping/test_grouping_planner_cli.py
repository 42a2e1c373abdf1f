"""The offline planner: JSON lines in, a plan as JSON out, bad lines reported and skipped."""

import argparse
import json
from datetime import date

import pytest

from services.grouping.planner_cli import build_parser, main, run_plan

pytestmark = pytest.mark.unit

AS_OF = date(2026, 3, 2)


def registration(pid: str, **changes) -> str:
    line = {
        "participant_id": pid,
        "birth_date": "1980-05-01",
        "gender": "female",
        "municipality": "0301",
        "topic": "grief",
        "composition": "any",
        "format": "in_person",
        "availability": ["tue_evening", "wed_daytime"],
        "single_gender": False,
        "registered_at": "2025-11-01T10:00:00+01:00",
    }
    line.update(changes)
    return json.dumps(line)


@pytest.fixture
def registrations(tmp_path):
    lines = [
        registration("a", gender="male"),
        registration("b", municipality="3201"),
        registration("c"),
        registration("d", gender="male", topic="anxiety"),
        "",
        registration("e", birth_date="2010-01-01"),
        registration("f", municipality="9999"),
        registration("a"),
        "{not json",
        registration("g", availability=["tuesday"]),
    ]
    path = tmp_path / "registrations.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_the_plan_is_written_with_groups_waiting_and_invalid_lines(registrations, tmp_path, capsys):
    output = tmp_path / "plan.json"
    assert run_plan(str(registrations), AS_OF, str(output)) == 0
    document = json.loads(output.read_text(encoding="utf-8"))
    (group,) = document["groups"]
    assert group["members"] == ["a", "b", "c", "d"]
    assert group["slot"] in ("tue_evening", "wed_daytime")
    assert group["format"] == "in_person"
    assert group["topics"] == ["anxiety", "grief"]
    assert group["municipalities"] == ["0301", "3201"]
    assert set(group) >= {"group_id", "members", "slot", "format", "topics", "municipalities"}
    assert document["waiting"] == [
        {
            "participant_id": "e",
            "reasons": [{"code": "under_age", "text": document["waiting"][0]["reasons"][0]["text"]}],
        }
    ]
    assert [(p["line"], p["reason"].split(":")[0]) for p in document["invalid"]] == [
        (7, "municipality"),
        (8, "participant_id"),
        (9, "line"),
        (10, "availability"),
    ]
    assert document["stats"]["invalid"] == 4
    assert document["stats"]["placed"] == 4
    errors = capsys.readouterr().err
    assert f"{registrations}:7: municipality: unknown number 9999" in errors
    assert "already given on line 1" in errors


def test_without_an_output_file_the_plan_goes_to_stdout(registrations, capsys):
    assert run_plan(str(registrations), AS_OF, None) == 0
    assert len(json.loads(capsys.readouterr().out)["groups"]) == 1


def test_a_missing_input_file_is_exit_code_2(tmp_path, capsys):
    assert run_plan(str(tmp_path / "missing.jsonl"), AS_OF, None) == 2
    assert "cannot read" in capsys.readouterr().err


def test_the_plan_subcommand_plugs_into_an_argparse_tree(registrations, tmp_path):
    parser = argparse.ArgumentParser(prog="selvhjelp")
    grouping = parser.add_subparsers(dest="service").add_parser("grouping").add_subparsers(dest="command")
    build_parser(grouping)
    output = tmp_path / "out.json"
    args = parser.parse_args(
        [
            "grouping",
            "plan",
            "--input",
            str(registrations),
            "--as-of",
            "2026-03-02",
            "--output",
            str(output),
            "--seed",
            "3",
        ]
    )
    assert args.as_of == AS_OF
    assert args.func(args) == 0
    assert json.loads(output.read_text(encoding="utf-8"))["stats"]["groups"] == 1


def test_the_module_runs_on_its_own(registrations, tmp_path):
    output = tmp_path / "out.json"
    assert (
        main(["plan", "--input", str(registrations), "--as-of", "2026-03-02", "--output", str(output)]) == 0
    )
    assert output.exists()
