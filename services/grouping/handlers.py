"""Thin AMQP handlers of the grouping service: keep the waiting pool in step with registrations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Envelope
from shared.erasure import finish_erasure
from shared.messaging import Outbox

from .models import memberships, pool

SOURCE = "grouping"


def make_handlers(outbox: Outbox, on_pool_changed=None):
    async def on_registration_accepted(session: AsyncSession, envelope: Envelope[Any]) -> None:
        data = envelope.data
        await session.execute(
            insert(pool)
            .values(
                participant_id=data.participant_id,
                district=data.district,
                municipality=data.municipality,
                birth_date=data.birth_date,
                gender=data.gender.value,
                topic=data.topic.value,
                composition=data.composition.value,
                format=data.format.value,
                availability=list(data.availability),
                single_gender=data.single_gender,
                registered_at=data.registered_at,
                status="waiting",
            )
            .on_conflict_do_nothing()
        )
        if on_pool_changed:
            on_pool_changed(data.district)

    async def on_participant_withdrew(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await session.execute(
            delete(pool).where(
                pool.c.participant_id == envelope.data.participant_id, pool.c.status == "waiting"
            )
        )

    async def on_participant_erased(session: AsyncSession, envelope: Envelope[Any]) -> None:
        participant_id = envelope.data.participant_id
        deleted = (
            await session.execute(delete(pool).where(pool.c.participant_id == participant_id))
        ).rowcount
        deleted += (
            await session.execute(delete(memberships).where(memberships.c.participant_id == participant_id))
        ).rowcount
        await finish_erasure(session, outbox, envelope, service=SOURCE, rows_deleted=deleted)

    return {
        "registration.accepted.v1": on_registration_accepted,
        "participant.withdrew.v1": on_participant_withdrew,
        "participant.erased.v1": on_participant_erased,
    }
