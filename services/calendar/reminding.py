"""Sending due reminders: rows claimed with SKIP LOCKED, staged in the outbox and marked sent in one
transaction, so a crash or restart neither loses a reminder nor sends it twice."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import ReminderDue
from shared.messaging import Outbox

from .models import absences, groups, memberships, reminders, starter_absences, starter_bookings

log = logging.getLogger("selvhjelp.calendar.reminders")
SOURCE = "calendar"
_REMINDER_IDS = uuid.UUID("6f1d6c2a-3b0e-4a57-9d0c-5a1e7c4b2f10")


def reminder_event_id(group_id: uuid.UUID, meeting_start: datetime, kind: str) -> uuid.UUID:
    """The same reminder always gets the same event id, so even a replayed send is one outbox row."""
    return uuid.uuid5(_REMINDER_IDS, f"{group_id}/{meeting_start.astimezone(UTC).isoformat()}/{kind}")


async def send_due_reminders(session: AsyncSession, outbox: Outbox, now: datetime, batch: int = 100) -> int:
    """Stage reminder.due.v1 for up to `batch` due reminders; return how many were staged."""
    due = (
        await session.execute(
            select(reminders.c.id, reminders.c.group_id, reminders.c.meeting_start, reminders.c.kind)
            .where(reminders.c.state == "pending", reminders.c.due_at <= now)
            .order_by(reminders.c.due_at, reminders.c.id)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
    ).all()
    sent = 0
    for row in due:
        if row.meeting_start <= now:  # the service was down past the meeting: too late to remind
            await _mark(session, row.id, "skipped", now)
            log.info("reminder skipped, meeting already begun", extra={"group_id": str(row.group_id)})
            continue
        members = await _expected_members(session, row.group_id, row.meeting_start)
        correlation_id = await session.scalar(
            select(groups.c.correlation_id).where(groups.c.group_id == row.group_id)
        )
        event = ReminderDue(
            group_id=row.group_id,
            meeting_start=row.meeting_start,
            members=members,
            kind=row.kind,
            starter_id=await _expected_starter(session, row.group_id, row.meeting_start),
        )
        envelope = event.envelope(source=SOURCE, correlation_id=correlation_id)
        envelope = envelope.model_copy(
            update={"event_id": reminder_event_id(row.group_id, row.meeting_start, row.kind)}
        )
        await outbox.add(session, envelope)
        await _mark(session, row.id, "sent", now)
        sent += 1
    return sent


async def _expected_members(
    session: AsyncSession, group_id: uuid.UUID, meeting_start: datetime
) -> list[uuid.UUID]:
    """Members who have not reported absence for this meeting: they already know they will not come."""
    absent = select(absences.c.participant_id).where(
        absences.c.group_id == group_id, absences.c.meeting_start == meeting_start
    )
    rows = await session.execute(
        select(memberships.c.participant_id)
        .where(memberships.c.group_id == group_id, memberships.c.participant_id.not_in(absent))
        .order_by(memberships.c.participant_id)
    )
    return list(rows.scalars().all())


async def _expected_starter(
    session: AsyncSession, group_id: uuid.UUID, meeting_start: datetime
) -> uuid.UUID | None:
    """The starter booked for this meeting, unless it said it cannot come and nobody replaced it yet (a
    replacement's booking is its own, so it is the one found)."""
    said_no = select(starter_absences.c.starter_id).where(
        starter_absences.c.group_id == group_id,
        starter_absences.c.meeting_start == meeting_start,
        starter_absences.c.replacement_id.is_(None),
    )
    return await session.scalar(
        select(starter_bookings.c.starter_id).where(
            starter_bookings.c.group_id == group_id,
            func.lower(starter_bookings.c.during, type_=DateTime(timezone=True)) == meeting_start,
            starter_bookings.c.starter_id.not_in(said_no),
        )
    )


async def _mark(session: AsyncSession, reminder_id: int, state: str, now: datetime) -> None:
    await session.execute(
        update(reminders).where(reminders.c.id == reminder_id).values(state=state, sent_at=now)
    )
