"""Thin AMQP handlers of the notification service."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Envelope
from shared.erasure import finish_erasure
from shared.messaging import Outbox

from .models import contacts, deliveries

SOURCE = "notifications"


def make_handlers(outbox: Outbox):
    async def on_contact_registered(session: AsyncSession, envelope: Envelope[Any]) -> None:
        data = envelope.data
        values = {
            "name": data.name,
            "email": data.email,
            "mobile": data.mobile,
            "language": data.language.value,
            "updated_at": func.now(),
        }
        await session.execute(
            insert(contacts)
            .values(participant_id=data.participant_id, **values)
            .on_conflict_do_update(index_elements=["participant_id"], set_=values)
        )

    async def on_participant_erased(session: AsyncSession, envelope: Envelope[Any]) -> None:
        participant_id = envelope.data.participant_id
        deleted = (
            await session.execute(delete(contacts).where(contacts.c.participant_id == participant_id))
        ).rowcount
        deleted += (
            await session.execute(delete(deliveries).where(deliveries.c.recipient_id == participant_id))
        ).rowcount
        await finish_erasure(session, outbox, envelope, service=SOURCE, rows_deleted=deleted)

    return {
        "participant.contact_registered.v1": on_contact_registered,
        "participant.erased.v1": on_participant_erased,
    }
