"""Benchmark of the grouping planner on synthetic registrations spread over Norway.

    python bench/grouping.py --sizes 1000 10000 100000

Prints, per population size: run time, share placed, constraint violations (must be 0), mean waiting
time of placed and still-waiting people; then, on small sub-pools drawn from the same population, the
heuristic against the exact CP-SAT model (placements found by each, and how often CP-SAT proved optimal).
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from random import Random

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from services.grouping.domain import Person, PlanningRules, plan, validate_groups  # noqa: E402
from services.grouping.planning.exact import solve_exact  # noqa: E402
from services.grouping.planning.heuristic import solve_heuristic  # noqa: E402
from services.grouping.planning.pool import build_pool  # noqa: E402
from shared.contracts.vocabulary import SLOTS, Topic  # noqa: E402
from shared.reference import all_municipalities  # noqa: E402

AS_OF = date(2026, 3, 2)

# Rough populations (thousands) of the larger municipalities; the rest count as 5. Enough to put most
# registrations around Oslo, Bergen, Trondheim and Stavanger, as in real life.
POPULATION_K = {
    "0301": 717,
    "4601": 291,
    "5001": 214,
    "1103": 149,
    "3201": 131,
    "4204": 116,
    "3301": 103,
    "3203": 97,
    "3205": 92,
    "3107": 85,
    "1108": 83,
    "5501": 78,
    "3907": 66,
    "3207": 62,
    "1508": 60,
    "3105": 59,
    "3905": 58,
    "4003": 56,
    "1804": 53,
    "3103": 51,
    "3909": 48,
    "3222": 48,
    "4203": 46,
    "3118": 46,
    "1149": 43,
    "3209": 42,
    "4626": 40,
    "1106": 38,
    "4001": 37,
    "3411": 35,
    "3403": 33,
    "1506": 32,
    "3101": 32,
    "3407": 31,
    "3305": 31,
    "4627": 30,
    "4631": 30,
    "3405": 29,
    "3303": 28,
    "1124": 28,
    "3901": 27,
    "3911": 27,
    "3312": 27,
    "3240": 27,
    "5503": 25,
    "5035": 25,
    "3232": 25,
    "3903": 26,
    "1833": 26,
    "4624": 26,
    "5006": 24,
    "4202": 24,
    "3228": 24,
    "1505": 24,
    "3218": 22,
    "4647": 22,
    "3420": 21,
    "5601": 21,
    "1806": 21,
    "1120": 20,
    "3212": 20,
    "5037": 20,
    "1121": 19,
    "1119": 19,
    "3224": 19,
    "4614": 19,
    "3216": 18,
    "3401": 18,
    "5059": 18,
    "5028": 17,
    "4602": 17,
    "3214": 16,
    "4621": 16,
    "5031": 15,
    "5038": 15,
}
TOPIC_WEIGHTS = {
    Topic.anxiety: 15,
    Topic.depression: 13,
    Topic.grief: 12,
    Topic.loneliness: 10,
    Topic.relatives: 10,
    Topic.addiction: 7,
    Topic.chronic_illness: 8,
    Topic.cancer: 5,
    Topic.life_crisis: 8,
    Topic.self_image: 5,
    Topic.violence: 3,
    Topic.other: 4,
}
SLOT_WEIGHTS = [3.0 if s.endswith("evening") else 1.0 for s in SLOTS]
SLOT_WEIGHTS = [
    w * (0.4 if s.startswith(("sat", "sun")) else 1.0) for w, s in zip(SLOT_WEIGHTS, SLOTS, strict=True)
]


def synthetic_population(size: int, seed: int = 1) -> list[Person]:
    rng = Random(seed)
    municipalities = sorted(all_municipalities(), key=lambda m: m.number)
    weights = [POPULATION_K.get(m.number, 5) for m in municipalities]
    topics, topic_weights = list(TOPIC_WEIGHTS), list(TOPIC_WEIGHTS.values())
    people = []
    for k in range(size):
        place = rng.choices(municipalities, weights)[0]
        topic = rng.choices(topics, topic_weights)[0]
        age = 17 if rng.random() < 0.01 else min(85, max(18, round(rng.triangular(18, 85, 42))))
        slot_count = rng.choice((1, 2, 2, 3, 3, 4, 5))
        slots: set[str] = set()
        while len(slots) < slot_count:
            slots.add(rng.choices(SLOTS, SLOT_WEIGHTS)[0])
        people.append(
            Person(
                participant_id=f"bench-{k:06d}",
                birth_date=AS_OF - timedelta(days=round(365.25 * age) + rng.randint(1, 360)),
                gender=rng.choices(("female", "male", "other", "unspecified"), (60, 37, 2, 1))[0],
                municipality=place.number,
                district=place.district,
                topic=topic,
                composition=rng.choices(("same_topic", "cross_topic", "any"), (30, 20, 50))[0],
                format=rng.choices(("in_person", "digital", "any"), (45, 15, 40))[0],
                availability=tuple(slots),
                single_gender=rng.random() < (0.4 if topic == Topic.violence else 0.06),
                registered_at=datetime(2026, 3, 1, 12)
                - timedelta(days=min(720, int(rng.expovariate(1 / 120)))),
            )
        )
    return people


def run_population(size: int, rules: PlanningRules) -> dict:
    people = synthetic_population(size)
    started = time.perf_counter()
    result = plan(people, AS_OF, rules)
    elapsed = time.perf_counter() - started
    violations = validate_groups(result.groups, people, rules, AS_OF)
    placed_ids = {m for g in result.groups for m in g.members}
    waits = {p.participant_id: (AS_OF - p.registered_at.date()).days for p in people}
    placed_waits = [waits[i] for i in placed_ids]
    waiting_waits = [waits[w.participant_id] for w in result.waiting]
    return {
        "size": size,
        "seconds": elapsed,
        "groups": len(result.groups),
        "placed": len(placed_ids) / size,
        "violations": len(violations),
        "wait_placed": statistics.fmean(placed_waits) if placed_waits else math.nan,
        "wait_waiting": statistics.fmean(waiting_waits) if waiting_waits else math.nan,
        "mean_size": statistics.fmean(len(g.members) for g in result.groups) if result.groups else math.nan,
        "lone": result.stats["lone_gender_groups"],
        "regions": result.stats["regions"],
        "people": people,
    }


def compare_with_exact(
    people: list[Person], sizes: list[int], samples: int, seconds: float, rules: PlanningRules, workers: int
) -> list[dict]:
    """Draw sub-pools from one district at a time and solve each by the heuristic and by CP-SAT alone."""
    rng = Random(7)
    by_district: dict[str, list[Person]] = {}
    for person in people:
        by_district.setdefault(person.district, []).append(person)
    rows = []
    for size in sizes:
        found = {"heuristic": 0, "exact": 0, "optimal": 0, "h_seconds": 0.0, "e_seconds": 0.0, "runs": 0}
        districts = sorted(d for d, members in by_district.items() if len(members) >= size)
        for _ in range(samples):
            district = rng.choice(districts)
            sub = rng.sample(by_district[district], size)
            pool = build_pool(sub, AS_OF, rules)
            eligible = [age >= rules.min_age for age in pool.age]
            started = time.perf_counter()
            heuristic = solve_heuristic(pool, eligible, seed=0)
            found["h_seconds"] += time.perf_counter() - started
            started = time.perf_counter()
            exact = solve_exact(pool, eligible, seconds, workers=workers)  # cold: an independent reference
            found["e_seconds"] += time.perf_counter() - started
            found["heuristic"] += sum(len(d.members) for d in heuristic)
            found["exact"] += sum(len(d.members) for d in exact.drafts) if exact else 0
            found["optimal"] += bool(exact and exact.optimal)
            found["runs"] += 1
        rows.append({"size": size, **found})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--workers", type=int, default=2, help="processes for the region pools")
    parser.add_argument(
        "--exact-sizes",
        type=int,
        nargs="*",
        default=[30, 50, 70],
        help="sub-pool sizes compared with CP-SAT (none to skip)",
    )
    parser.add_argument("--exact-samples", type=int, default=3)
    parser.add_argument("--exact-seconds", type=float, default=20.0)
    parser.add_argument("--lone-gender", choices=("soft", "hard"), default="soft")
    parser.add_argument(
        "--lasting-sizes",
        type=int,
        nargs="*",
        default=[2000, 10000],
        help="arrivals a year of the streams both policies are simulated on (none to skip; bench/lasting.py)",
    )
    parser.add_argument("--lasting-seeds", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args(argv)
    rules = PlanningRules(
        workers=args.workers, method="heuristic", time_limit_s=600, lone_gender=args.lone_gender
    )

    print(
        f"Grouping planner on synthetic registrations (as of {AS_OF}, {args.workers} worker processes, "
        f"lone man/woman rule: {args.lone_gender})\n"
    )
    print(
        "| registrations | seconds | groups | mean size | placed | lone-gender groups | violations "
        "| mean wait placed (days) | mean wait waiting (days) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    largest_people: list[Person] = []
    largest_regions: dict = {}
    for size in args.sizes:
        row = run_population(size, rules)
        largest_people, largest_regions = row["people"], row["regions"]
        print(
            f"| {size:,} | {row['seconds']:.1f} | {row['groups']:,} | {row['mean_size']:.2f} | "
            f"{row['placed']:.1%} | {row['lone']} | {row['violations']} | {row['wait_placed']:.0f} | "
            f"{row['wait_waiting']:.0f} |",
            flush=True,
        )
    print(f"\nBy district, {len(largest_people):,} registrations\n")
    print("| district | registrations | placed | groups |")
    print("|---|---:|---:|---:|")
    for district, region in sorted(largest_regions.items(), key=lambda item: -item[1]["people"]):
        share = region["placed"] / region["people"] if region["people"] else math.nan
        print(f"| {district} | {region['people']:,} | {share:.1%} | {region['groups']:,} |")
    if args.exact_sizes:
        print(
            f"\nHeuristic against CP-SAT alone ({args.exact_seconds:g} s per sub-pool) on sub-pools drawn "
            f"from one district of the {len(largest_people):,}-registration population\n"
        )
        print(
            "| sub-pool | samples | placed by heuristic | placed by CP-SAT | heuristic / CP-SAT "
            "| CP-SAT proved optimal | heuristic s/pool | CP-SAT s/pool |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|")
        for row in compare_with_exact(
            largest_people, args.exact_sizes, args.exact_samples, args.exact_seconds, rules, args.workers
        ):
            ratio = row["heuristic"] / row["exact"] if row["exact"] else math.nan
            print(
                f"| {row['size']} | {row['runs']} | {row['heuristic']} | {row['exact']} | {ratio:.1%} | "
                f"{row['optimal']}/{row['runs']} | {row['h_seconds'] / row['runs']:.2f} | "
                f"{row['e_seconds'] / row['runs']:.1f} |",
                flush=True,
            )
    if args.lasting_sizes:
        from bench.lasting import report  # noqa: PLC0415 (bench/lasting.py imports this module)

        print()
        report(args.lasting_sizes, args.lasting_seeds, tail_days=57, nudge_share=0.3)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
