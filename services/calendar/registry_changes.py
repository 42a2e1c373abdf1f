"""What staff do to the venue and starter registries, for the JSON API and the staff pages alike: register
a venue or a starter, change a venue. Each is scoped to the staff member's district (a contact point's
venue changes to its municipalities) and runs in the caller's transaction; the values are already
checked and in their stored form (registry.hours_to_json)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from .models import starters, venues


async def register_venue(session: AsyncSession, district: str, values: dict[str, Any]) -> Any:
    """The new venue's row; None when the municipality already has a venue of that name."""
    return (
        await session.execute(
            insert(venues)
            .values(id=uuid.uuid4(), district=district, **values)
            .on_conflict_do_nothing(index_elements=["municipality", "name"])
            .returning(venues)
        )
    ).one_or_none()


async def change_venue(
    session: AsyncSession, venue_id: uuid.UUID, district: str, values: dict[str, Any]
) -> Any:
    """The changed venue's row; None when the district has no such venue."""
    return (
        await session.execute(
            update(venues)
            .where(venues.c.id == venue_id, venues.c.district == district)
            .values(**values, updated_at=func.now())
            .returning(venues)
        )
    ).one_or_none()


async def change_municipal_venue(
    session: AsyncSession, venue_id: uuid.UUID, municipalities: frozenset[str], values: dict[str, Any]
) -> Any:
    """The changed venue's row; None when none of the municipalities (a contact point's) has such a venue.
    The municipality itself is not changed: a venue cannot be moved out of the contact point's reach."""
    return (
        await session.execute(
            update(venues)
            .where(venues.c.id == venue_id, venues.c.municipality.in_(sorted(municipalities)))
            .values(**values, updated_at=func.now())
            .returning(venues)
        )
    ).one_or_none()


async def register_starter(
    session: AsyncSession,
    district: str,
    first_name: str,
    email: str,
    availability: dict[str, Any],
    *,
    language: str = "nb",
) -> Any:
    """The new starter's row; None when the district already has a starter with that email."""
    return (
        await session.execute(
            insert(starters)
            .values(
                id=uuid.uuid4(),
                district=district,
                first_name=first_name,
                email=email,
                availability=availability,
                language=language,
            )
            .on_conflict_do_nothing(index_elements=["district", "email"])
            .returning(starters)
        )
    ).one_or_none()
