"""Thin AMQP handlers of the calendar service."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Envelope
from shared.erasure import finish_erasure
from shared.messaging import Outbox

from .models import groups

SOURCE = "calendar"


def make_handlers(outbox: Outbox, on_group_to_schedule=None):
    async def on_group_formed(session: AsyncSession, envelope: Envelope[Any]) -> None:
        data = envelope.data
        await session.execute(
            insert(groups)
            .values(
                group_id=data.group_id,
                district=data.district,
                slot=data.slot,
                format=data.format.value,
                members=[str(m) for m in data.members],
                municipalities=list(data.municipalities),
                status="to_schedule",
            )
            .on_conflict_do_nothing()
        )
        if on_group_to_schedule:
            on_group_to_schedule()

    async def on_participant_erased(session: AsyncSession, envelope: Envelope[Any]) -> None:
        member = str(envelope.data.participant_id)
        rows = (
            await session.execute(select(groups.c.group_id).where(groups.c.members.contains([member])))
        ).all()
        for row in rows:
            await session.execute(
                update(groups)
                .where(groups.c.group_id == row.group_id)
                .values(members=groups.c.members - member)
            )
        await finish_erasure(session, outbox, envelope, service=SOURCE, rows_deleted=len(rows))

    return {"group.formed.v1": on_group_formed, "participant.erased.v1": on_participant_erased}
