"""Offline planner: `selvhjelp grouping plan --input REG.jsonl --as-of YYYY-MM-DD [--output OUT.json]`.

Reads one registration per line (JSON), plans groups with the grouping domain and writes the plan as
JSON. Lines that cannot be used are reported with their line number, on stderr and in the output, and
the rest is planned anyway.

Exit codes: 0 the plan was written (possibly with invalid lines listed); 2 the input could not be read
or the output could not be written.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from services.grouping.domain import Person, Plan, PlanningRules, plan
from shared.contracts.vocabulary import Composition, Gender, MeetingFormat, Topic
from shared.reference import get_municipality
from shared.vocabulary import checked_slots


class RegistrationLine(BaseModel):
    """One line of the input file: what grouping needs to know about a person in the waiting pool."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    participant_id: str = Field(min_length=1, max_length=200)
    birth_date: date
    gender: Gender
    municipality: str = Field(pattern=r"^\d{4}$")
    topic: Topic
    composition: Composition = Composition.any
    format: MeetingFormat = MeetingFormat.any
    availability: list[str] = Field(min_length=1)
    single_gender: bool = False
    registered_at: datetime

    @field_validator("availability")
    @classmethod
    def _known_slots(cls, value: list[str]) -> list[str]:
        checked_slots(value)  # as given: the planner's Person puts them in week order itself
        return value


def read_registrations(lines: list[str]) -> tuple[list[Person], list[dict[str, Any]]]:
    """People from the valid lines, and {line, reason} for every line that could not be used."""
    people: list[Person] = []
    invalid: list[dict[str, Any]] = []
    first_seen: dict[str, int] = {}
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        try:
            line = RegistrationLine.model_validate_json(text)
        except ValidationError as error:
            invalid.append({"line": number, "reason": _describe(error)})
            continue
        place = get_municipality(line.municipality)
        if place is None:
            invalid.append({"line": number, "reason": f"municipality: unknown number {line.municipality}"})
            continue
        if line.participant_id in first_seen:
            invalid.append(
                {
                    "line": number,
                    "reason": f"participant_id: already given on line {first_seen[line.participant_id]}",
                }
            )
            continue
        first_seen[line.participant_id] = number
        people.append(
            Person(
                district=place.district,
                availability=tuple(line.availability),
                **line.model_dump(exclude={"availability"}),
            )
        )
    return people, invalid


def _describe(error: ValidationError) -> str:
    parts = []
    for problem in error.errors():
        where = ".".join(str(p) for p in problem["loc"]) or "line"
        parts.append(f"{where}: {problem['msg']}")
    return "; ".join(parts)


def plan_as_json(result: Plan, invalid: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "groups": [
            {
                "group_id": g.group_id,
                "members": list(g.members),
                "slot": g.slot,
                "format": str(g.format),
                "topics": [str(t) for t in g.topics],
                "municipalities": list(g.municipalities),
                "district": g.district,
            }
            for g in result.groups
        ],
        "waiting": [
            {
                "participant_id": w.participant_id,
                "reasons": [{"code": r.code, "text": r.text} for r in w.reasons],
            }
            for w in result.waiting
        ],
        "invalid": invalid,
        "stats": {**result.stats, "invalid": len(invalid)},
    }


def read_input(input_path: str) -> tuple[list, list[dict]] | None:
    """The registrations of a JSON-lines file and its invalid lines (each reported on stderr); None when
    the file cannot be read (said on stderr). Shared by `plan` and `simulate`."""
    try:
        with open(input_path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as error:
        print(f"cannot read {input_path}: {error.strerror}", file=sys.stderr)
        return None
    people, invalid = read_registrations(lines)
    for problem in invalid:
        print(f"{input_path}:{problem['line']}: {problem['reason']}", file=sys.stderr)
    return people, invalid


def write_document(document: dict[str, Any], output_path: str | None) -> bool:
    """The result as indented JSON to a file, or stdout without one; False when the file cannot be written."""
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output_path is None:
        sys.stdout.write(text)
        return True
    try:
        with open(output_path, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as error:
        print(f"cannot write {output_path}: {error.strerror}", file=sys.stderr)
        return False
    return True


def run_plan(
    input_path: str,
    as_of: date,
    output_path: str | None,
    rules: PlanningRules | None = None,
    seed: int = 0,
) -> int:
    """Plan groups for the registrations in a JSON-lines file; write the plan to a file or stdout."""
    loaded = read_input(input_path)
    if loaded is None:
        return 2
    people, invalid = loaded
    started = time.perf_counter()
    result = plan(people, as_of, rules or PlanningRules(), seed=seed)
    document = plan_as_json(result, invalid)
    document["stats"]["seconds"] = round(time.perf_counter() - started, 3)
    if not write_document(document, output_path):
        return 2
    stats = result.stats
    print(
        f"groups: {stats['groups']}, placed: {stats['placed']} of {stats['people']}, "
        f"waiting: {stats['waiting']}, invalid lines: {len(invalid)}",
        file=sys.stderr,
    )
    return 0


def build_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `plan` subcommand (for `selvhjelp grouping plan`); its handler is in `func`."""
    parser = subparsers.add_parser(
        "plan",
        help="plan groups offline from a file of registrations",
        description="Plan self-help groups from registrations in a JSON-lines file (one per line).",
    )
    parser.add_argument(
        "--input", required=True, metavar="REG.jsonl", help="registrations, one JSON object a line"
    )
    parser.add_argument(
        "--as-of",
        required=True,
        type=date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the groups' start date: ages and waiting times are counted to it",
    )
    parser.add_argument("--output", metavar="OUT.json", help="where to write the plan (default: stdout)")
    parser.add_argument(
        "--seed", type=int, default=0, help="seed of the search (same input and seed, same plan)"
    )
    parser.add_argument("--workers", type=int, default=1, help="processes; districts are planned in parallel")
    parser.add_argument("--method", choices=("auto", "heuristic", "exact"), default="auto")
    parser.add_argument(
        "--digital-scope",
        choices=("district", "country"),
        default="district",
        help="may a digital group span the country, or only a district",
    )
    parser.set_defaults(func=_run_from_args)
    return parser


def _run_from_args(args: argparse.Namespace) -> int:
    rules = PlanningRules(workers=args.workers, method=args.method, digital_scope=args.digital_scope)
    return run_plan(args.input, args.as_of, args.output, rules=rules, seed=args.seed)


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point: `python -m services.grouping.planner_cli plan --input ...`."""
    parser = argparse.ArgumentParser(prog="selvhjelp grouping")
    build_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
