"""`selvhjelp grouping simulate --input ARRIVALS.jsonl --until YYYY-MM-DD [--seed N] [--output OUT.json]
[--policy lasting|asap] [--dropout P]`: the service's grouping policy run a day at a time over the
arrivals (each line's `registered_at`), with a seeded model of invitation answers (simulation.py).

Input lines are the plan command's; lines that cannot be used are reported the same way (stderr and the
output's `invalid`). The output is the plan command's format, each group with `formed_at` and its
status at `--until`, and everyone still waiting then with their reasons; every formed group is checked
against the hard rules (`violations`, expected empty).

Exit codes: 0 the result was written; 2 the input could not be read or the output could not be written.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from datetime import date, datetime
from datetime import time as day_time
from typing import Any

from services.grouping.planner_cli import read_input, write_document
from services.grouping.planning.model import PlanningRules
from services.grouping.planning.policy import PolicySettings
from services.grouping.simulation import InvitationModel, SimResult, final_members
from services.grouping.simulation_districts import simulate

# The search effort per plan in the simulation: a year is thousands of plans, so each gets a tenth of the
# service's budget (the bench measured the same shares at the service's budget on 2,000 arrivals).
SIMULATION_RULES = PlanningRules(method="heuristic", search_budget=6_000, restarts=2)


def result_as_json(result: SimResult, invalid: list[dict[str, Any]]) -> dict[str, Any]:
    def formed_at(day: date) -> str:
        return datetime.combine(day, day_time(12)).isoformat()

    groups = []
    for group in result.groups:
        g = group.proposal
        members = final_members(group) or list(g.members)
        people = [result.people[m] for m in members]
        groups.append(
            {
                "group_id": g.group_id,
                "members": members,
                "slot": g.slot,
                "format": str(g.format),
                "topics": sorted({str(p.topic) for p in people}),
                "municipalities": sorted({p.municipality for p in people}),
                "district": g.district,
                "formed_at": formed_at(group.formed_at),
                "size_at_forming": group.size_at_forming,
                "status": group.status,
                "started_at": formed_at(group.started_at) if group.started_at else None,
            }
        )
    return {
        "groups": groups,
        "waiting": [
            {
                "participant_id": w.participant_id,
                "reasons": [{"code": r.code, "text": r.text} for r in w.reasons],
            }
            for w in result.waiting
        ],
        "left": sorted(result.left),
        "invalid": invalid,
        "violations": result.violations,
        "stats": {**result.stats, "invalid": len(invalid), "until": result.until.isoformat()},
    }


def run_simulation(
    input_path: str,
    until: date,
    output_path: str | None,
    *,
    settings: PolicySettings,
    rules: PlanningRules = SIMULATION_RULES,
    invitations: InvitationModel | None = None,
    seed: int = 0,
) -> int:
    loaded = read_input(input_path)
    if loaded is None:
        return 2
    people, invalid = loaded
    started = time.process_time()
    result = simulate(people, until, rules, settings, invitations or InvitationModel(), seed)
    document = result_as_json(result, invalid)
    document["stats"]["cpu_seconds"] = round(time.process_time() - started, 1)
    document["stats"]["policy"] = settings.policy
    document["stats"]["dropout"] = settings.dropout
    if not write_document(document, output_path):
        return 2
    stats = result.stats
    print(
        f"policy {settings.policy}: {stats['groups_formed']} groups formed, placed {stats['placed']} of "
        f"{stats['arrivals']}, expected in a lasting group {stats['lasting_share']}, "
        f"waiting: {len(result.waiting)}, violations: {len(result.violations)}, "
        f"invalid lines: {len(invalid)}",
        file=sys.stderr,
    )
    return 0


def build_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `simulate` subcommand (for `selvhjelp grouping simulate`)."""
    parser = subparsers.add_parser(
        "simulate",
        help="run the grouping policy over simulated time on a file of arrivals",
        description="Simulate the grouping service's policy, a day at a time, over registrations in a "
        "JSON-lines file (each line's registered_at is its arrival).",
    )
    parser.add_argument("--input", required=True, metavar="ARRIVALS.jsonl", help="one JSON object a line")
    parser.add_argument(
        "--until", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD", help="the last day simulated"
    )
    parser.add_argument("--output", metavar="OUT.json", help="where to write the result (default: stdout)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the answers and the search")
    parser.add_argument("--policy", choices=("lasting", "asap"), default="lasting")
    parser.add_argument(
        "--dropout",
        type=float,
        default=PolicySettings().dropout,
        help="the chance a member leaves a new group in its first weeks (the lasting policy's model)",
    )
    parser.add_argument("--wait-limit-days", type=int, default=PolicySettings().wait_limit_days)
    parser.add_argument(
        "--nudge-take-share",
        type=float,
        default=0.0,
        help="share of people still waiting after 28 days who take the first option they are offered "
        "(more times, digital, across topics, a neighbouring municipality); 0 by default",
    )
    parser.set_defaults(func=_run_from_args)
    return parser


def _run_from_args(args: argparse.Namespace) -> int:
    if not 0.0 <= args.nudge_take_share <= 1.0:
        print("--nudge-take-share must be between 0 and 1", file=sys.stderr)
        return 2
    settings = replace(
        PolicySettings(), policy=args.policy, dropout=args.dropout, wait_limit_days=args.wait_limit_days
    )
    invitations = InvitationModel(nudge_take_share=args.nudge_take_share)
    return run_simulation(
        args.input, args.until, args.output, settings=settings, invitations=invitations, seed=args.seed
    )


def main(argv: list[str] | None = None) -> int:
    """Stand-alone entry point: `python -m services.grouping.simulate_cli simulate --input ...`."""
    parser = argparse.ArgumentParser(prog="selvhjelp grouping")
    build_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
