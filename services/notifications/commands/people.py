"""One person at a time: the locks that keep what is written about someone and their erasure apart, their
preferences, and the erasure itself."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Text, delete, func, literal_column, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Envelope
from shared.db.locks import lock_keys

from ..domain import ChannelPreference
from ..models import absences, contacts, deliveries, group_members, outbox

# --- one person at a time: what is queued about someone, and their erasure --------------------------
# The two queues (ADR 0007) let a group's event and a person's erasure be handled at the same moment in two
# transactions that do not see each other's rows: a delivery or membership written beside the erasure
# would outlive it. So whatever writes rows about a person first takes a shared lock on them, and the
# erasure an exclusive one: it waits for those writers to commit and then deletes what they wrote; a
# writer that comes second waits for the erasure to commit and then sees that the person is gone.
# Writers share the lock, so they never wait for each other (nor deadlock).

# The erasure's own trail says who was erased: this service's participant.data_deleted.v1 events (ids
# only), which stay in the outbox (docs/quality.md; partial index ix_outbox_data_deleted).
DATA_DELETED = "participant.data_deleted.v1"
_ERASED_ID = literal_column("payload #>> '{data,participant_id}'", Text)


def _person_keys(people: Iterable[uuid.UUID]) -> list[int]:
    return [int.from_bytes(p.bytes[:8], "big", signed=True) for p in people]


async def lock_people(session: AsyncSession, people: Iterable[uuid.UUID]) -> None:
    """Before writing rows about these people (or reading their contacts to do so): see above. Each later
    statement of the transaction sees an erasure of theirs that committed while it waited."""
    await lock_keys(session, _person_keys(people), shared=True)


async def lock_for_erasure(session: AsyncSession, people: Iterable[uuid.UUID]) -> None:
    """Exclusively: waits for whoever is writing rows about them, and keeps new writers out."""
    await lock_keys(session, _person_keys(people))


ERASED_EVENT = "participant.erased.v1"


async def lock_erasures(session: AsyncSession, envelopes: Sequence[Envelope[Any]]) -> None:
    """The consumer's hook before a batch's handlers: the people it erases, locked all at once in sorted
    order (ADR 0009), so two batches erasing two people cannot each wait for the other halfway."""
    await lock_for_erasure(
        session, [e.data.participant_id for e in envelopes if e.event_type == ERASED_EVENT]
    )


async def erased_among(session: AsyncSession, people: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Those of `people` this service has erased (call after `lock_people`)."""
    ids = sorted({str(p) for p in people})
    if not ids:
        return set()
    found = await session.execute(
        select(_ERASED_ID).where(outbox.c.event_type == DATA_DELETED, _ERASED_ID.in_(ids)).distinct()
    )
    return {uuid.UUID(value) for value in found.scalars()}


async def participants_with_mobile(session: AsyncSession, mobile: str) -> Sequence[uuid.UUID]:
    return list(
        (
            await session.execute(select(contacts.c.participant_id).where(contacts.c.mobile == mobile))
        ).scalars()
    )


# --- preferences and erasure ---------------------------------------------------------------------
async def update_preferences(
    session: AsyncSession,
    participant_id: uuid.UUID,
    *,
    channel: ChannelPreference,
    language: str,
    no_optional_messages: bool,
) -> bool:
    changed = (
        await session.execute(
            update(contacts)
            .where(contacts.c.participant_id == participant_id)
            .values(
                channel=channel.value,
                language=language,
                non_essential_opt_out="true" if no_optional_messages else "false",
                updated_at=func.now(),
            )
            .returning(contacts.c.participant_id)
        )
    ).scalar_one_or_none()
    return changed is not None


async def forget_person(session: AsyncSession, participant_id: uuid.UUID) -> int:
    """Delete the contact, every delivery to or about the person, their memberships and absences.

    Waits for whoever is writing rows about the person (`lock_people`), so it deletes those rows too."""
    await lock_for_erasure(session, [participant_id])
    deleted = 0
    person = str(participant_id)
    for statement in (
        delete(contacts).where(contacts.c.participant_id == participant_id),
        delete(deliveries).where(
            or_(
                deliveries.c.recipient_id == participant_id,
                deliveries.c.subject_id == participant_id,
                deliveries.c.context.cast(Text).contains(person),
            )
        ),
        delete(group_members).where(group_members.c.participant_id == participant_id),
        delete(absences).where(absences.c.participant_id == participant_id),
    ):
        deleted += (await session.execute(statement)).rowcount or 0
    return deleted
