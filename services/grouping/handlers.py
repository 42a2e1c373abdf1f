"""Thin AMQP handlers of the grouping service: keep the waiting pool in step with registrations."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Envelope
from shared.erasure import finish_erasure
from shared.messaging.consumer import call_after_commit

from .commands.common import SOURCE
from .commands.invitations import forget_person, leave
from .commands.planning import request_planning
from .commands.staff import flag_scheduling_failed
from .models import attendance, pool

# Built once and bound per message: building `.values(...)` for every message costs more than the insert.
_JOIN_POOL = insert(pool).on_conflict_do_nothing()


def make_handlers(service, rules, timing, today, planner=None):
    outbox = service.outbox

    async def ask_to_plan(session: AsyncSession, district: str) -> None:
        # Wake the planner once a new request is committed: it then plans the district when the request
        # falls due, not at its first poll after that. Not for a request that was waiting already: the
        # planner knows of it, and waking it for every batch would cost a pass each time.
        requests = await request_planning(session, district)
        if requests is not None and planner is not None:
            call_after_commit(lambda: planner.wake() if requests.new else None)

    async def on_registration_accepted(session: AsyncSession, envelope: Envelope[Any]) -> None:
        data = envelope.data
        await session.execute(
            _JOIN_POOL,
            {
                "participant_id": data.participant_id,
                "district": data.district,
                "municipality": data.municipality,
                "birth_date": data.birth_date,
                "gender": data.gender.value,
                "topic": data.topic.value,
                "composition": data.composition.value,
                "format": data.format.value,
                "availability": list(data.availability),
                "single_gender": data.single_gender,
                "registered_at": data.registered_at,
                "status": "waiting",
            },
        )
        await ask_to_plan(session, data.district)

    async def on_participant_withdrew(session: AsyncSession, envelope: Envelope[Any]) -> None:
        participant_id = envelope.data.participant_id
        await leave(
            session, outbox, participant_id, as_of=today(), rules=rules, timing=timing, cause=envelope
        )
        await session.execute(delete(pool).where(pool.c.participant_id == participant_id))

    async def on_availability_changed(session: AsyncSession, envelope: Envelope[Any]) -> None:
        # Only a waiting person's slots matter: an invited or placed person's group time is already set.
        district = (
            await session.execute(
                update(pool)
                .where(pool.c.participant_id == envelope.data.participant_id, pool.c.status == "waiting")
                .values(availability=list(envelope.data.availability))
                .returning(pool.c.district)
            )
        ).scalar_one_or_none()
        if district is not None:
            await ask_to_plan(session, district)

    async def on_participant_erased(session: AsyncSession, envelope: Envelope[Any]) -> None:
        participant_id = envelope.data.participant_id
        await leave(
            session, outbox, participant_id, as_of=today(), rules=rules, timing=timing, cause=envelope
        )
        deleted = await forget_person(session, participant_id)
        deleted += (
            await session.execute(delete(attendance).where(attendance.c.participant_id == participant_id))
        ).rowcount
        await finish_erasure(session, outbox, envelope, service=SOURCE, rows_deleted=deleted)

    async def on_absence_reported(session: AsyncSession, envelope: Envelope[Any]) -> None:
        data = envelope.data
        await session.execute(
            insert(attendance)
            .values(
                group_id=data.group_id,
                participant_id=data.participant_id,
                meeting_start=data.meeting_start,
                absent=True,
            )
            .on_conflict_do_nothing()
        )

    async def on_scheduling_failed(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await flag_scheduling_failed(session, envelope.data)

    return {
        "registration.accepted.v1": on_registration_accepted,
        "participant.withdrew.v1": on_participant_withdrew,
        "registration.availability_changed.v1": on_availability_changed,
        "participant.erased.v1": on_participant_erased,
        "absence.reported.v1": on_absence_reported,
        "group.scheduling_failed.v1": on_scheduling_failed,
    }
