"""Synthetic year-long arrival streams for the grouping simulation (issue 23): the people of
bench/grouping.py's synthetic population (Norway's municipalities weighted by population, topics, ages,
mostly women, evening times), each arriving at a time in one year: more in autumn and after New Year,
fewer in summer and at Christmas, on weekdays more than weekends, in the daytime and evening."""

from __future__ import annotations

import json
import math
import os
import sys
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from random import Random

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.grouping import synthetic_population  # noqa: E402
from services.grouping.domain import Person  # noqa: E402

START = date(2026, 1, 1)


def _season(day: date) -> float:
    """Relative arrival rate on a day of the year."""
    if day.month == 7:
        return 0.35
    if day.month == 12 and day.day >= 18:
        return 0.4
    weekday = 0.55 if day.weekday() >= 5 else 1.15
    autumn = 1.0 + 0.25 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 290) / 365)
    return weekday * autumn


def arrival_stream(size: int, seed: int = 1, start: date = START, days: int = 365) -> list[Person]:
    """`size` people arriving over `days` days from `start`, in arrival order (ids in that order)."""
    rng = Random(seed * 7919 + size)
    people = synthetic_population(size, seed=seed)
    calendar = [start + timedelta(days=d) for d in range(days)]
    weights = [_season(d) for d in calendar]
    stream = []
    for person, day in zip(people, rng.choices(calendar, weights, k=size), strict=True):
        hour = rng.choices(range(24), [0.2] * 7 + [1, 2, 3, 3, 3, 3, 3, 3, 3, 2, 2, 3, 3, 3, 2, 1, 0.5])[0]
        at = datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=UTC)
        # Ages count on the arrival day (the population's were drawn for its own reference date).
        stream.append(replace(person, registered_at=at))
    stream.sort(key=lambda p: (p.registered_at, p.participant_id))
    return [replace(p, participant_id=f"arrival-{seed}-{k:06d}") for k, p in enumerate(stream)]


def as_jsonl(people: list[Person]) -> str:
    """The plan command's registration lines."""
    lines = []
    for p in people:
        lines.append(
            json.dumps(
                {
                    "participant_id": p.participant_id,
                    "birth_date": p.birth_date.isoformat(),
                    "gender": str(p.gender),
                    "municipality": p.municipality,
                    "topic": str(p.topic),
                    "composition": str(p.composition),
                    "format": str(p.format),
                    "availability": list(p.availability),
                    "single_gender": p.single_gender,
                    "registered_at": p.registered_at.isoformat(),
                }
            )
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    sys.stdout.write(as_jsonl(arrival_stream(size, seed)))
