"""What the notification service deletes on its own (besides its outbox and inbox, shared/retention.py):
finished deliveries, whose `context` holds what the message said (names, a venue, a meeting time), and
absences of meetings long past. Kept `notification_retention_days` for staff to answer "did she get it?"
and for complaints; queued deliveries are never touched (they are still to be sent)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from shared.retention import RetentionJob

from .models import absences, deliveries

FINISHED = ("sent", "failed", "expired")


async def purge_deliveries(session: AsyncSession, older_than: datetime, limit: int) -> int:
    finished_at = func.coalesce(deliveries.c.sent_at, deliveries.c.created_at)
    doomed = (
        select(deliveries.c.id)
        .where(deliveries.c.state.in_(FINISHED), finished_at < older_than)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(delete(deliveries).where(deliveries.c.id.in_(doomed)))).rowcount or 0


async def purge_absences(session: AsyncSession, older_than: datetime, limit: int) -> int:
    doomed = (
        select(absences.c.participant_id, absences.c.meeting_start)
        .where(absences.c.meeting_start < older_than)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    keys = [tuple(k) for k in (await session.execute(doomed)).all()]
    if not keys:
        return 0
    condition = tuple_(absences.c.participant_id, absences.c.meeting_start).in_(keys)
    return (await session.execute(delete(absences).where(condition))).rowcount or 0


def add_steps(job: RetentionJob, days: int) -> None:
    period = timedelta(days=days)
    job.add("deliveries", lambda session, now, limit: purge_deliveries(session, now - period, limit))
    job.add("absences", lambda session, now, limit: purge_absences(session, now - period, limit))
