""" "I can't come": an absence reported by link or SMS reply, told to calendar and grouping and to the
other members."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import AbsenceReported

from .. import messages
from ..domain import as_oslo, recipients_for_absence
from ..models import absences, group_members, groups
from .deliveries import queue_message
from .groups import load_group, lock_group
from .people import lock_people
from .runtime import SOURCE, Runtime

log = logging.getLogger("selvhjelp.notifications")


class AbsenceOutcome(StrEnum):
    reported = "reported"
    already_reported = "already_reported"
    meeting_passed = "meeting_passed"
    not_in_a_group = "not_in_a_group"


ABSENCE_NAMESPACE = uuid.UUID("6f1b8f3e-2d3c-4b51-9a43-5b0d7e1c2a90")


def absence_event_id(participant_id: uuid.UUID, meeting_start: datetime) -> uuid.UUID:
    """The same report always has the same event id, so a retried request stages it once."""
    return uuid.uuid5(ABSENCE_NAMESPACE, f"{participant_id}:{meeting_start.astimezone(UTC).isoformat()}")


async def group_of(session: AsyncSession, participant_id: uuid.UUID) -> uuid.UUID | None:
    """The group the person is in now (one at a time), if any."""
    return (
        await session.execute(
            select(group_members.c.group_id)
            .join(groups, groups.c.group_id == group_members.c.group_id)
            .where(
                group_members.c.participant_id == participant_id,
                group_members.c.state != "left",
                groups.c.state != "ended",
            )
            .order_by(groups.c.updated_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def report_absence(
    session: AsyncSession, rt: Runtime, participant_id: uuid.UUID, meeting_start: datetime
) -> AbsenceOutcome:
    """Record the absence, tell calendar and grouping (absence.reported.v1) and queue a notice to every
    other member. Only before the meeting starts: afterwards the group has already wondered."""
    meeting_start = as_oslo(meeting_start)
    now = rt.clock()
    if meeting_start <= now:
        return AbsenceOutcome.meeting_passed
    await lock_people(session, [participant_id])  # an erasure at this moment: theirs or ours first
    group_id = await group_of(session, participant_id)
    if group_id is None:
        return AbsenceOutcome.not_in_a_group
    await lock_group(session, group_id)
    inserted = (
        await session.execute(
            insert(absences)
            .values(participant_id=participant_id, meeting_start=meeting_start, group_id=group_id)
            .on_conflict_do_nothing()
            .returning(absences.c.participant_id)
        )
    ).scalar_one_or_none()
    if inserted is None:
        return AbsenceOutcome.already_reported
    event_id = absence_event_id(participant_id, meeting_start)
    reported = AbsenceReported(group_id=group_id, participant_id=participant_id, meeting_start=meeting_start)
    envelope = reported.envelope(source=SOURCE).model_copy(update={"event_id": event_id})
    await rt.outbox.add(session, envelope)
    group = (await load_group(session, group_id))[0]  # type: ignore[index]
    others = recipients_for_absence(group.members, participant_id)
    await queue_message(
        session, messages.absence_notice(group, others, event_id, participant_id, meeting_start), now=now
    )
    log.info("absence reported", extra={"group_id": str(group_id), "notified": len(others)})
    return AbsenceOutcome.reported


async def next_meeting_of(session: AsyncSession, participant_id: uuid.UUID, now: datetime) -> datetime | None:
    group_id = await group_of(session, participant_id)
    if group_id is None:
        return None
    loaded = await load_group(session, group_id)
    return loaded[0].next_meeting(now) if loaded else None
