"""What would get a waiting person a group sooner (grouping's participant.waiting_options_changed.v1), kept on the
registration for the status page, and taken there with one click.

Taking an option is a correction by the person (`corrections.correct`): the same rules, the same refusal
while they are invited to a group, and registration.changed.v1 so that grouping plans with it at once. An
option is taken only while it is still offered, so an old page cannot change a registration the person has
since corrected another way.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.messaging import Outbox

from .corrections import Corrected, NotWaiting, correct, registration_for_update
from .models import registrations

OPTION_CODES = ("more_times", "digital", "cross_topic", "neighbour_municipality")


class NotOffered(Exception):
    """The option is not (or no longer) offered to this person."""


async def store(session: AsyncSession, data: Any) -> None:
    """The latest options, on a registration that still waits (an empty list clears them)."""
    await session.execute(
        update(registrations)
        .where(registrations.c.participant_id == data.participant_id, registrations.c.status == "waiting")
        .values(waiting_options=list(data.options) or None)
    )


async def group_formed(session: AsyncSession, envelope: Any) -> None:
    """Invited to a group: the options were for waiting; grouping sends new ones if they wait again."""
    await session.execute(
        update(registrations)
        .where(registrations.c.participant_id.in_(list(envelope.data.members)))
        .values(waiting_options=None)
    )


def correction_for(option: dict[str, Any], row: Any) -> dict[str, Any]:
    """The registration's fields the option changes, as a correction's values."""
    code, params = option["code"], option.get("params") or {}
    if code == "more_times":
        return {
            "availability": [*row.availability, *(s for s in params["slots"] if s not in row.availability)]
        }
    if code == "digital":
        return {"format": "any"}
    if code == "cross_topic":
        return {"composition": "any"}
    if code == "neighbour_municipality":
        return {"municipality": params["municipality"]}
    raise NotOffered(code)


async def take_option(
    session: AsyncSession, outbox: Outbox, participant_id: uuid.UUID, code: str, *, now: datetime
) -> Corrected | None:
    """Apply the offered option `code`; None when there is no such registration. Raises NotOffered,
    NotWaiting (also InvitedToGroup) or domain.RegistrationRefused."""
    row = await registration_for_update(session, participant_id)
    if row is None:
        return None
    if row.status != "waiting":
        raise NotWaiting(row.status)
    offered = {option["code"]: option for option in row.waiting_options or ()}
    if code not in offered:
        raise NotOffered(code)
    corrected = await correct(
        session, outbox, participant_id, correction_for(offered[code], row), actor="participant", now=now
    )
    # Taken (or already so): the other options were worked out for the old details; grouping sends new ones.
    await session.execute(
        update(registrations)
        .where(registrations.c.participant_id == participant_id)
        .values(waiting_options=None)
    )
    return corrected
