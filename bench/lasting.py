"""Groups that last (issue 23): both grouping policies simulated over synthetic year-long arrival streams.

    python bench/lasting.py --sizes 2000 10000 --seeds 1 2

Per stream and policy: the expected share of arrivals still in a group of at least four after the first
weeks (dropout 0.1 / 0.2 / 0.3), median and p90 wait from registration to the group's forming, mean size
at forming, groups with a lone man or woman, hard-rule violations (must be 0), CPU and wall seconds
(districts are simulated in parallel, one process per core). Each
stream is simulated until `--tail-days` after its last arrival, so groups held back at the end of the
year are formed or not by the policy's own limits, not cut off by the end of the stream.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from dataclasses import replace
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.arrivals import arrival_stream  # noqa: E402
from services.grouping.planning.policy import PolicySettings  # noqa: E402
from services.grouping.simulate_cli import SIMULATION_RULES  # noqa: E402
from services.grouping.simulation import InvitationModel  # noqa: E402
from services.grouping.simulation_districts import simulate as simulate_districts  # noqa: E402

# Days simulated after the last arrival (docs/quality.md's numbers: until 57 days after the year's end).
TAIL_DAYS = 57
HEADER = (
    "| arrivals | seed | policy | lasting 0.1 | lasting 0.2 | lasting 0.3 | placed | median wait | p90 wait "
    "| mean size at forming | groups | lone man/woman | lone per group | violations | CPU s | wall s |"
)


def simulate(
    size: int, seed: int, settings: PolicySettings, tail_days: int, nudge_share: float = 0.0
) -> dict:
    people = arrival_stream(size, seed)
    until = max(p.registered_at.date() for p in people) + timedelta(days=tail_days)
    started, wall = _cpu_seconds(), time.perf_counter()
    invitations = InvitationModel(nudge_take_share=nudge_share)
    result = simulate_districts(people, until, SIMULATION_RULES, settings, invitations, seed=seed)
    return {
        **result.stats,
        "violations": len(result.violations),
        "cpu": _cpu_seconds() - started,
        "wall": time.perf_counter() - wall,
    }


def _cpu_seconds() -> float:
    """This process's CPU time and its finished children's (the districts run in worker processes)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _lone_per_group(stats: dict) -> float:
    groups = stats["groups_standing"]
    return stats["lone_gender_groups"] / groups if groups else 0.0


def row(size: int, seed: int, policy: str, stats: dict) -> str:
    lasting = stats["lasting_share"]
    groups = stats["groups_standing"]
    lone_share = stats["lone_gender_groups"] / groups if groups else 0.0
    return (
        f"| {size:,} | {seed} | {policy} | {lasting['0.1']:.1%} | {lasting['0.2']:.1%} | {lasting['0.3']:.1%} "
        f"| {stats['placed_share']:.1%} | {stats['median_wait_days']:.0f} | {stats['p90_wait_days']:.0f} "
        f"| {stats['mean_size_at_forming']:.2f} | {groups} | {stats['lone_gender_groups']} | {lone_share:.2f} "
        f"| {stats['violations']} | {stats['cpu']:.0f} | {stats['wall']:.0f} |"
    )


def report(
    sizes: list[int], seeds: list[int], tail_days: int, dropout: float | None = None, nudge_share: float = 0.0
) -> None:
    print("Groups that last: both policies over synthetic year-long arrival streams\n")
    print(HEADER)
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in sizes:
        for seed in seeds:
            results = {}
            for policy in ("asap", "lasting"):
                settings = PolicySettings(policy=policy)
                if dropout is not None:
                    settings = replace(settings, dropout=dropout)
                results[policy] = simulate(size, seed, settings, tail_days)
                print(row(size, seed, policy, results[policy]), flush=True)
            asap, lasting = results["asap"], results["lasting"]
            ratios = " | ".join(
                f"{lasting['lasting_share'][p] / asap['lasting_share'][p]:.2f}x"
                if asap["lasting_share"][p]
                else "-"
                for p in ("0.1", "0.2", "0.3")
            )
            lone = _lone_per_group(lasting) / _lone_per_group(asap) if _lone_per_group(asap) else 0.0
            print(
                f"|  |  | lasting / asap | {ratios} | | "
                f"{lasting['median_wait_days'] - asap['median_wait_days']:+.0f} d "
                f"| {lasting['p90_wait_days'] - asap['p90_wait_days']:+.0f} d | | | | {lone:.2f}x | | | |",
                flush=True,
            )
            if nudge_share:
                # Item 4 modelled: the same stream with a share of people taking the option they are offered.
                nudged = simulate(size, seed, PolicySettings(), tail_days, nudge_share)
                label = f"lasting, {nudge_share:.0%} take a nudge ({nudged['nudges_taken']} did)"
                print(row(size, seed, label, nudged), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--tail-days", type=int, default=TAIL_DAYS)
    parser.add_argument(
        "--nudge-share",
        type=float,
        default=0.3,
        help="also simulate `lasting` with this share of people taking a suggested option (0: skip)",
    )
    args = parser.parse_args(argv)
    report(args.sizes, args.seeds, args.tail_days, nudge_share=args.nudge_share)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
