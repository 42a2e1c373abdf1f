"""Finding a person for the district office: by part of the name, the whole e-mail address, the mobile
number (as people say it: with or without +47, spaces) or the registration id (whole, or the first eight
characters the console shows). Only in the staff member's district; a bounded list.

The indexes behind it (migration 0008): a trigram index on the name, lower(email), mobile,
and the primary key for ids, so a search stays fast with a hundred thousand registrations.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import registrations

LIMIT = 25
_MOBILE = re.compile(r"^(?:\+47|0047|47)?([49]\d{7})$")
_ID_PREFIX = re.compile(r"^[0-9a-f]{8,32}$")


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def conditions(query: str) -> list[Any]:
    """What the typed text may be; a person matches if any of them holds."""
    text = query.strip()
    found: list[Any] = []
    compact = re.sub(r"[\s\-().]", "", text)
    mobile = _MOBILE.match(compact)
    if mobile:
        found.append(registrations.c.mobile == f"+47{mobile[1]}")
    if "@" in text:
        found.append(func.lower(registrations.c.email) == text.lower())
    hex_id = compact.lower()
    try:
        found.append(registrations.c.participant_id == uuid.UUID(hex_id))
    except ValueError:
        if _ID_PREFIX.match(hex_id):
            # The first characters of an id: the range of ids that start with them (the primary key's order).
            low, high = hex_id.ljust(32, "0"), hex_id.ljust(32, "f")
            found.append(registrations.c.participant_id.between(uuid.UUID(low), uuid.UUID(high)))
    if not mobile and "@" not in text and len(text) >= 2:
        found.append(registrations.c.name.ilike(f"%{_like_escaped(text)}%", escape="\\"))
    return found


async def search(session: AsyncSession, district: str, query: str, limit: int = LIMIT) -> list[Any]:
    found = conditions(query)
    if not found:
        return []
    return list(
        (
            await session.execute(
                select(
                    registrations.c.participant_id,
                    registrations.c.name,
                    registrations.c.status,
                    registrations.c.municipality,
                    registrations.c.registered_at,
                    registrations.c.group_id,
                    registrations.c.left_group_at,
                )
                .where(registrations.c.district == district, or_(*found))
                .order_by(registrations.c.name, registrations.c.registered_at)
                .limit(limit)
            )
        ).all()
    )
