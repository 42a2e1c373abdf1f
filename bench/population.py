"""The synthetic registrations of the speed bench, and the venues and starters that let their groups be
scheduled.

Registrations come from the larger towns of every district office (population in thousands, for the
weights). Each town gets venues and its district starters, so a group that forms can be scheduled; sizes
follow the number of registrations."""

from __future__ import annotations

import math
import uuid
from datetime import date, datetime, timedelta
from random import Random
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import create_async_engine

from services.calendar.models import starters, venues
from services.calendar.registry import hours_to_json, parse_hours_text
from shared.contracts.vocabulary import SLOTS
from shared.reference import get_municipality
from shared.sample import registration_body

TOWNS = {
    "0301": 717,  # Oslo
    "3201": 131,  # Bærum
    "3107": 85,  # Fredrikstad
    "4601": 291,  # Bergen
    "1103": 149,  # Stavanger
    "1108": 83,  # Sandnes
    "5001": 214,  # Trondheim
    "1508": 60,  # Ålesund
    "5501": 78,  # Tromsø
    "1804": 53,  # Bodø
    "4204": 116,  # Kristiansand
    "3403": 33,  # Hamar
    "3405": 29,  # Lillehammer
    "3301": 103,  # Drammen
    "3907": 66,  # Sandefjord
    "4003": 56,  # Skien
}
TOPICS = {
    "anxiety": 15,
    "depression": 13,
    "grief": 12,
    "loneliness": 10,
    "relatives": 10,
    "addiction": 7,
    "chronic_illness": 8,
    "cancer": 5,
    "life_crisis": 8,
    "self_image": 5,
    "violence": 3,
    "other": 4,
}
SLOT_WEIGHTS = [
    (3.0 if slot.endswith("evening") else 1.0) * (0.4 if slot.startswith(("sat", "sun")) else 1.0)
    for slot in SLOTS
]
OPEN_HOURS = "mon-sun 09:00-22:00"


def registration(rng: Random, index: int, today: date, **overrides: Any) -> dict[str, Any]:
    """One synthetic adult from one of TOWNS (the distributions of bench/grouping.py)."""
    topic = rng.choices(list(TOPICS), list(TOPICS.values()))[0]
    age = min(85, max(20, round(rng.triangular(18, 85, 42))))
    slots: set[str] = set()
    for _ in range(rng.choice((1, 2, 2, 3, 3, 4, 5))):
        slots.add(rng.choices(SLOTS, SLOT_WEIGHTS)[0])
    return registration_body(
        participant={"name": f"Deltaker{index} Bench", "email": f"deltaker{index}@example.org"},
        birth_date=(today - timedelta(days=round(365.25 * age) + rng.randint(1, 360))).isoformat(),
        gender=rng.choices(("female", "male", "other", "unspecified"), (60, 37, 2, 1))[0],
        municipality=rng.choices(list(TOWNS), list(TOWNS.values()))[0],
        topic=topic,
        composition=rng.choices(("same_topic", "cross_topic", "any"), (30, 20, 50))[0],
        format=rng.choices(("in_person", "digital", "any"), (45, 15, 40))[0],
        availability=sorted(slots, key=SLOTS.index),
        single_gender=rng.random() < (0.4 if topic == "violence" else 0.06),
        **overrides,
    )


def envelope(data: dict[str, Any], occurred_at: datetime) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": "registration.submitted.v1",
        "schema_version": 1,
        "occurred_at": occurred_at.isoformat(),
        "correlation_id": str(uuid.uuid4()),
        "source": "bench-kommune",
        "data": data,
    }


def external_registrations(n: int, seed: int) -> list[dict[str, Any]]:
    rng, today, run = Random(seed), date.today(), uuid.uuid4().hex[:6]
    return [
        registration(rng, k, today, source="external", external_ref=f"bench-{run}-{k:06d}") for k in range(n)
    ]


async def load_venues_and_starters(database_url: str, registrations: int) -> tuple[int, int]:
    """Venues in every town and starters in every district, open all week, enough for the groups that
    `registrations` people can form (a venue takes 3 daytime and 2 evening groups a weekday)."""
    total = sum(TOWNS.values())
    venue_rows, starter_rows = [], []
    per_district: dict[str, int] = {}
    hours = hours_to_json(parse_hours_text(OPEN_HOURS))
    for number, weight in TOWNS.items():
        town = get_municipality(number)
        assert town is not None, number
        count = math.ceil(registrations * weight / total / 60) + 2
        per_district[town.district] = per_district.get(town.district, 0) + count
        venue_rows += [
            {
                "id": uuid.uuid4(),
                "municipality": number,
                "district": town.district,
                "name": f"Bench venue {k} ({town.name})",
                "address": f"Benchgata {k}",
                "kind": "library",
                "capacity": 12,
                "accessible": True,
                "opening_hours": hours,
                "blackout_dates": [],
            }
            for k in range(count)
        ]
    for district, count in per_district.items():
        starter_rows += [
            {
                "id": uuid.uuid4(),
                "district": district,
                "first_name": f"Starter{k}",
                "email": f"starter{k}.{district}@example.org",
                "availability": hours,
            }
            for k in range(count)
        ]
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(venues), venue_rows)
            await connection.execute(insert(starters), starter_rows)
    finally:
        await engine.dispose()
    return len(venue_rows), len(starter_rows)
