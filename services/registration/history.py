"""A registration's history: what happened to it, kept for staff who help the person (received, corrected,
proposed for a group, accepted, placed, left, withdrew). Written by registration's own commands and by the
group events it consumes anyway, in the same transaction; read as a timeline on the staff person page.

Kinds and ids only, never contact details or what the person wants to work on; erased with the person.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import registration_history, registrations

# The kinds a timeline shows, in the order a registration usually meets them (people_texts has a word each).
KINDS = (
    "received",
    "corrected",
    "availability",
    "proposed",
    "accepted",
    "declined",
    "placed",
    "joined",
    "left",
    "group_closed",
    "withdrew",
)


async def record(
    session: AsyncSession,
    participant_id: uuid.UUID,
    kind: str,
    *,
    actor: str | None = None,
    at: datetime | None = None,
    **detail: Any,
) -> None:
    values: dict[str, Any] = {
        "participant_id": participant_id,
        "kind": kind,
        "actor": actor,
        "detail": detail,
    }
    if at is not None:
        values["at"] = at
    await session.execute(insert(registration_history).values(**values))


async def record_for_registered(
    session: AsyncSession,
    people: Iterable[uuid.UUID],
    kind: str,
    *,
    at: datetime | None = None,
    **detail: Any,
) -> None:
    """The same entry for each of `people` registered here (a group event names members of any origin)."""
    named = list(people)
    if not named:
        return
    columns = [
        registrations.c.participant_id,
        literal(kind).label("kind"),
        literal(detail, registration_history.c.detail.type).label("detail"),
    ]
    target = ["participant_id", "kind", "detail"]
    if at is not None:
        columns.append(literal(at, registration_history.c.at.type).label("at"))
        target.append("at")
    chosen = select(*columns).where(registrations.c.participant_id.in_(named))
    await session.execute(insert(registration_history).from_select(target, chosen))


async def timeline(session: AsyncSession, participant_id: uuid.UUID) -> list[Any]:
    return list(
        (
            await session.execute(
                select(
                    registration_history.c.at,
                    registration_history.c.kind,
                    registration_history.c.actor,
                    registration_history.c.detail,
                )
                .where(registration_history.c.participant_id == participant_id)
                .order_by(registration_history.c.at, registration_history.c.id)
            )
        ).all()
    )


async def forget(session: AsyncSession, participant_id: uuid.UUID) -> int:
    deleted = await session.execute(
        delete(registration_history).where(registration_history.c.participant_id == participant_id)
    )
    return deleted.rowcount or 0


# --- the group events registration consumes -------------------------------------------------------------
async def group_formed(session: AsyncSession, envelope: Any) -> None:
    data = envelope.data
    await record_for_registered(
        session, data.members, "proposed", at=envelope.occurred_at, group_id=str(data.group_id)
    )


async def invitation_answered(session: AsyncSession, envelope: Any) -> None:
    data = envelope.data
    kind = "accepted" if data.accepted else "declined"
    await record_for_registered(
        session, [data.participant_id], kind, at=envelope.occurred_at, group_id=str(data.group_id)
    )
