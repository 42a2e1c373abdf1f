"""The waiting pool kept in step with the other services' events: people join it when their registration
is accepted, change their slots, withdraw or are erased; absences and failed scheduling are noted on
the group. Each runs in the consumer's transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Envelope
from shared.erasure import finish_erasure
from shared.messaging import Outbox
from shared.messaging.consumer import call_after_commit

from .. import domain
from ..models import attendance, groups, pool, waiting_options
from ..reasons import scheduling_failed_flag
from ..statistics import note_withdrawal
from .common import SOURCE, Timing
from .decisions import forget_voter
from .invitations import forget_person, leave
from .planning import request_planning

# Built once and bound per message: building `.values(...)` for every message costs more than the insert.
_JOIN_POOL = insert(pool).on_conflict_do_nothing()


async def ask_to_plan(session: AsyncSession, district: str, wake_planner: Callable[[], None]) -> None:
    # Wake the planner once a new request is committed: it then plans the district when the request
    # falls due, not at its first poll after that. Not for a request that was waiting already: the
    # planner knows of it, and waking it for every batch would cost a pass each time.
    requests = await request_planning(session, district)
    if requests is not None:
        call_after_commit(lambda: wake_planner() if requests.new else None)


async def join_pool(session: AsyncSession, data: Any, wake_planner: Callable[[], None]) -> None:
    """An accepted registration starts waiting in its district (a redelivery changes nothing)."""
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
    await ask_to_plan(session, data.district, wake_planner)


async def withdraw(
    session: AsyncSession,
    outbox: Outbox,
    envelope: Envelope[Any],
    *,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
) -> None:
    """The person withdrew: out of their group (if any) and out of the pool."""
    participant_id = envelope.data.participant_id
    await leave(session, outbox, participant_id, as_of=as_of, rules=rules, timing=timing, cause=envelope)
    await note_withdrawal(session, participant_id, now=envelope.occurred_at)
    await session.execute(delete(pool).where(pool.c.participant_id == participant_id))


async def change_availability(session: AsyncSession, data: Any, wake_planner: Callable[[], None]) -> None:
    # Only a waiting person's slots matter: an invited or placed person's group time is already set.
    district = (
        await session.execute(
            update(pool)
            .where(pool.c.participant_id == data.participant_id, pool.c.status == "waiting")
            .values(availability=list(data.availability))
            .returning(pool.c.district)
        )
    ).scalar_one_or_none()
    if district is not None:
        await ask_to_plan(session, district, wake_planner)


async def change_registration(session: AsyncSession, data: Any, wake_planner: Callable[[], None]) -> None:
    """A corrected registration: the pool row takes what planning uses, only while the person waits (an
    invited or placed person's group is set). Both the old and the new district are planned again: the
    person may have been the one a group in the old district waited for, and may complete one in the new."""
    old_district = (
        await session.execute(
            select(pool.c.district)
            .where(pool.c.participant_id == data.participant_id, pool.c.status == "waiting")
            .with_for_update()
        )
    ).scalar_one_or_none()
    if old_district is None:
        return
    await session.execute(
        update(pool)
        .where(pool.c.participant_id == data.participant_id)
        .values(
            district=data.district,
            municipality=data.municipality,
            topic=data.topic.value,
            composition=data.composition.value,
            format=data.format.value,
            availability=list(data.availability),
            # Why they waited was worked out for the old details; the next plan says it anew.
            waiting_reasons=None,
        )
    )
    for district in dict.fromkeys((old_district, data.district)):
        await ask_to_plan(session, district, wake_planner)


async def erase_person(
    session: AsyncSession,
    outbox: Outbox,
    envelope: Envelope[Any],
    *,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
) -> None:
    """Everything grouping holds of the person goes; the report says how many rows."""
    participant_id = envelope.data.participant_id
    await leave(session, outbox, participant_id, as_of=as_of, rules=rules, timing=timing, cause=envelope)
    deleted = await forget_person(session, participant_id) + await forget_voter(session, participant_id)
    for table in (attendance, waiting_options):
        deleted += (
            await session.execute(delete(table).where(table.c.participant_id == participant_id))
        ).rowcount
    await finish_erasure(session, outbox, envelope, service=SOURCE, rows_deleted=deleted)


async def record_absence(session: AsyncSession, data: Any) -> None:
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


async def flag_scheduling_failed(session: AsyncSession, failed: Any) -> None:
    """Calendar could not schedule the group (`group.scheduling_failed.v1`): flag it for staff, in the
    calendar's English words (what the API gives) and as a code the pages show in the reader's language."""
    await session.execute(
        update(groups)
        .where(groups.c.group_id == failed.group_id)
        .values(
            flag=f"scheduling failed: {failed.reason}"[:200],
            flag_code=scheduling_failed_flag(
                getattr(failed, "reason_code", None),
                getattr(failed, "reason_params", None) or {},
                failed.reason,
            ),
        )
    )


async def group_scheduled(session: AsyncSession, scheduled: Any) -> None:
    """Calendar scheduled the group (`meeting.scheduled.v1`): a scheduling-failed flag is over, and the
    group meets at the slot calendar scheduled, which staff may have changed to another one all members
    share (refills and staff moves check people against it)."""
    values: dict[str, Any] = {}
    if getattr(scheduled, "slot", None):
        values["slot"] = scheduled.slot
    await session.execute(
        update(groups)
        .where(
            groups.c.group_id == scheduled.group_id, groups.c.flag_code["code"].astext == "scheduling_failed"
        )
        .values(flag=None, flag_code=None)
    )
    if values:
        await session.execute(update(groups).where(groups.c.group_id == scheduled.group_id).values(**values))
