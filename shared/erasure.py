"""The common tail of every service's answer to participant.erased.v1."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Envelope, ParticipantDataDeleted
from shared.messaging import Outbox
from shared.revocation import revoke_links


async def finish_erasure(
    session: AsyncSession, outbox: Outbox, erased: Envelope[Any], *, service: str, rows_deleted: int
) -> None:
    """Drop the person's events from this service's outbox, cut the links sent to the person before the
    erasure (a re-used reference gets the same participant id, and must not revive them), and report what
    was deleted (ids only)."""
    participant_id = erased.data.participant_id
    # The erasure's own time, the same in every service, not when this service got round to it.
    await revoke_links(session, outbox.table.metadata, participant_id, erased.occurred_at)
    rows_deleted += await outbox.forget(session, participant_id)
    report = ParticipantDataDeleted(participant_id=participant_id, service=service, rows_deleted=rows_deleted)
    await outbox.add(
        session,
        report.envelope(source=service, correlation_id=erased.correlation_id, causation_id=erased.event_id),
    )
