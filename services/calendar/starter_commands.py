"""A starter's "I cannot come to this meeting", and the district office marking it handled (a replacement
found). The rows are what the district office's replacements page lists (replacement_pages.py)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from .models import groups, starter_absences


async def report_starter_absence(
    session: AsyncSession, starter_id: uuid.UUID, group_id: uuid.UUID, meeting_start: datetime
) -> bool:
    """Record that the starter cannot come; False when it had already said so (a second click)."""
    added = await session.execute(
        insert(starter_absences)
        .values(group_id=group_id, meeting_start=meeting_start, starter_id=starter_id)
        .on_conflict_do_nothing()
        .returning(starter_absences.c.group_id)
    )
    return added.first() is not None


async def mark_starter_absence_handled(
    session: AsyncSession, district: str, group_id: uuid.UUID, meeting_start: datetime
) -> bool:
    """The district office has found a replacement; False when its district has no such report."""
    in_district = groups.select().with_only_columns(groups.c.group_id).where(groups.c.district == district)
    done = await session.execute(
        update(starter_absences)
        .where(
            starter_absences.c.group_id == group_id,
            starter_absences.c.meeting_start == meeting_start,
            starter_absences.c.group_id.in_(in_district),
        )
        .values(handled_at=func.now())
        .returning(starter_absences.c.group_id)
    )
    return done.first() is not None
