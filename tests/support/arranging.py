"""Waiting people and proposed groups in grouping's tables, for the tests of staff arranging groups."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert

from services.grouping.models import groups, memberships, pool

REGISTERED = datetime(2026, 1, 5, 12, tzinfo=UTC)


def person(index: int, *, born: date | None = None, slots=("tue_evening",), status="waiting") -> dict:
    return {
        "participant_id": uuid.uuid4(),
        "district": "nord",
        "municipality": "1804",
        "birth_date": born or date(1985, 1, 1) + timedelta(days=60 * index),
        "gender": "female" if index % 2 else "male",
        "topic": "grief",
        "composition": "any",
        "format": "in_person",
        "availability": list(slots),
        "single_gender": False,
        "registered_at": REGISTERED + timedelta(days=index),
        "status": status,
    }


async def seed_group(session, people: list[dict], *, status: str = "proposed", member: str = "invited"):
    group_id = uuid.uuid4()
    await session.execute(
        insert(groups).values(
            group_id=group_id,
            district="nord",
            slot="tue_evening",
            format="in_person",
            status=status,
            topics=["grief"],
            municipalities=["1804"],
        )
    )
    await session.execute(insert(pool), [p | {"status": "invited"} for p in people])
    await session.execute(
        insert(memberships),
        [{"group_id": group_id, "participant_id": p["participant_id"], "status": member} for p in people],
    )
    return group_id
