"""Sample venues and starters for `make run`, in the two towns of the sample registrations (Bodø, Oslo).

Idempotent: venues are keyed by (municipality, name) and starters by (district, email), so loading twice
changes nothing. Made-up places and people; example.org addresses.

    import asyncio
    from services.calendar.sample import load_sample_into
    asyncio.run(load_sample_into(database_url))
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import create_engine, session_factory
from shared.reference import district_of

from .models import starters, venues
from .registry import hours_to_json, parse_hours_text

_SAMPLE_IDS = uuid.UUID("0b7e4a10-5d7c-4c55-8c1e-2f3a9d6b1c01")

VENUES: tuple[dict[str, Any], ...] = (
    {
        "municipality": "1804",
        "name": "Bodø frivilligsentral (eksempel)",
        "address": "Storgata 1, 8006 Bodø",
        "kind": "volunteer_centre",
        "capacity": 10,
        "accessible": True,
        "hours": "mon-thu 09:00-21:30",
    },
    {
        "municipality": "1804",
        "name": "Stormyra bibliotek (eksempel)",
        "address": "Stormyrveien 2, 8008 Bodø",
        "kind": "library",
        "capacity": 8,
        "accessible": True,
        "hours": "mon-fri 10:00-21:00; sat 10:00-15:00",
    },
    {
        "municipality": "1804",
        "name": "Frisklivssentralen Bodø (eksempel)",
        "address": "Sjøgata 3, 8006 Bodø",
        "kind": "healthy_life_centre",
        "capacity": 12,
        "accessible": False,
        "hours": "mon-fri 08:00-20:00",
    },
    {
        "municipality": "0301",
        "name": "Grünerløkka frivilligsentral (eksempel)",
        "address": "Thorvald Meyers gate 4, 0555 Oslo",
        "kind": "volunteer_centre",
        "capacity": 10,
        "accessible": True,
        "hours": "mon-fri 09:00-22:00",
    },
    {
        "municipality": "0301",
        "name": "Tøyen bibliotek (eksempel)",
        "address": "Hagegata 5, 0653 Oslo",
        "kind": "library",
        "capacity": 8,
        "accessible": True,
        "hours": "mon-thu 10:00-21:00; fri 10:00-18:00; sat 11:00-16:00",
    },
    {
        "municipality": "0301",
        "name": "Sagene menighetshus (eksempel)",
        "address": "Kirkegata 6, 0467 Oslo",
        "kind": "church",
        "capacity": 15,
        "accessible": True,
        "hours": "tue-thu 16:00-22:00",
    },
)

STARTERS: tuple[dict[str, str], ...] = (
    {"district": "nord", "first_name": "Ola", "email": "igangsetter.ola@example.org", "hours": "mon-fri 09:00-22:00"},
    {"district": "nord", "first_name": "Randi", "email": "igangsetter.randi@example.org", "hours": "tue-wed 16:00-22:00"},
    {"district": "oslo-ost", "first_name": "Aisha", "email": "igangsetter.aisha@example.org", "hours": "mon-thu 09:00-22:00"},
    {"district": "oslo-ost", "first_name": "Tor", "email": "igangsetter.tor@example.org", "hours": "tue-fri 15:00-22:00"},
)  # fmt: skip


async def load_sample(sessions: async_sessionmaker[AsyncSession]) -> int:
    """Insert the sample venues and starters that are missing; return how many were added."""
    added = 0
    async with sessions() as session, session.begin():
        for venue in VENUES:
            values = {
                "id": uuid.uuid5(_SAMPLE_IDS, f"venue/{venue['municipality']}/{venue['name']}"),
                "district": district_of(venue["municipality"]),
                "opening_hours": hours_to_json(parse_hours_text(venue["hours"])),
                "blackout_dates": [],
                **{key: value for key, value in venue.items() if key != "hours"},
            }
            added += await _insert_missing(session, insert(venues).values(values), ["municipality", "name"])
        for starter in STARTERS:
            values = {
                "id": uuid.uuid5(_SAMPLE_IDS, f"starter/{starter['district']}/{starter['email']}"),
                "availability": hours_to_json(parse_hours_text(starter["hours"])),
                **{key: value for key, value in starter.items() if key != "hours"},
            }
            added += await _insert_missing(session, insert(starters).values(values), ["district", "email"])
    return added


async def load_sample_into(database_url: str) -> int:
    """`load_sample` for a caller that has only the database URL (e.g. `make run`)."""
    engine = create_engine(database_url, pool_size=1)
    try:
        return await load_sample(session_factory(engine))
    finally:
        await engine.dispose()


async def _insert_missing(session: AsyncSession, statement: Any, key: list[str]) -> int:
    result = await session.execute(statement.on_conflict_do_nothing(index_elements=key))
    return result.rowcount or 0
