"""What the grouping service's commands share: its vocabulary of memberships, the error shown to people,
the timing of invitations and votes, staging an event in the outbox, and the reads and writes every
aggregate's commands make of a group's memberships, and the locked reads of staff's changes to a group."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import GroupMemberJoined
from shared.contracts.envelope import Event
from shared.messaging import Outbox

from .. import domain
from ..models import groups, invitations, memberships, pool

SOURCE = "grouping"
ACTIVE = ("invited", "accepted")


class GroupingError(Exception):
    """A request that cannot be done in the group's current state (shown to the person as is)."""


@dataclass(frozen=True)
class Timing:
    invitation_days: int = 7
    admission_vote_days: int = 7
    newcomer_extra_candidates: int = 2


async def stage(session: AsyncSession, outbox: Outbox, event: Event, cause: Any = None) -> None:
    await outbox.add(
        session,
        event.envelope(
            source=SOURCE,
            correlation_id=getattr(cause, "correlation_id", None),
            causation_id=getattr(cause, "event_id", None),
        ),
    )


def person_from_row(row: Any) -> domain.Person:
    return domain.Person(
        participant_id=str(row.participant_id),
        birth_date=row.birth_date,
        gender=row.gender,
        municipality=row.municipality,
        district=row.district,
        topic=row.topic,
        composition=row.composition,
        format=row.format,
        availability=tuple(row.availability),
        single_gender=row.single_gender,
        registered_at=row.registered_at,
    )


async def invite(session: AsyncSession, group_id: uuid.UUID, members: list[uuid.UUID], expires_at) -> None:
    await session.execute(
        insert(memberships),
        [{"group_id": group_id, "participant_id": p, "status": "invited"} for p in members],
    )
    await session.execute(
        insert(invitations).on_conflict_do_update(
            index_elements=["group_id", "participant_id"], set_={"expires_at": expires_at}
        ),
        [{"group_id": group_id, "participant_id": p, "expires_at": expires_at} for p in members],
    )
    await session.execute(
        update(pool).where(pool.c.participant_id.in_(members)).values(status="invited", waiting_reasons=None)
    )


async def active_membership(session: AsyncSession, participant_id: uuid.UUID) -> Any:
    return (
        await session.execute(
            select(memberships.c.group_id, memberships.c.status, groups.c.status.label("group_status"))
            .join(groups, groups.c.group_id == memberships.c.group_id)
            .where(memberships.c.participant_id == participant_id, memberships.c.status.in_(ACTIVE))
            .with_for_update(of=memberships)
        )
    ).one_or_none()


async def members_by_status(session: AsyncSession, group_id: uuid.UUID) -> dict[str, list[uuid.UUID]]:
    rows = (
        await session.execute(
            select(memberships.c.participant_id, memberships.c.status).where(
                memberships.c.group_id == group_id
            )
        )
    ).all()
    by_status: dict[str, list[uuid.UUID]] = {}
    for row in rows:
        by_status.setdefault(row.status, []).append(row.participant_id)
    return by_status


# --- staff changes to a group: the district's rows, locked for the change ---------------------------------
async def locked_group(session: AsyncSession, group_id: uuid.UUID, district: str) -> Any:
    """The district's group, locked until the change commits (None: no such group in the district)."""
    return (
        await session.execute(
            select(groups)
            .where(groups.c.group_id == group_id, groups.c.district == district)
            .with_for_update()
        )
    ).one_or_none()


async def locked_person(session: AsyncSession, participant_id: uuid.UUID, district: str) -> Any:
    """The district's person in the pool, locked until the change commits (None: not in the district)."""
    return (
        await session.execute(
            select(pool)
            .where(pool.c.participant_id == participant_id, pool.c.district == district)
            .with_for_update()
        )
    ).one_or_none()


async def active_people(session: AsyncSession, group_id: uuid.UUID) -> list[domain.Person]:
    """The group's invited and accepted members, in a stable order."""
    rows = await session.execute(
        select(pool)
        .join(memberships, memberships.c.participant_id == pool.c.participant_id)
        .where(memberships.c.group_id == group_id, memberships.c.status.in_(ACTIVE))
        .order_by(pool.c.participant_id)
    )
    return [person_from_row(r) for r in rows.all()]


async def invite_joining(
    session: AsyncSession, outbox: Outbox, group_id: uuid.UUID, participant_id: uuid.UUID, timing: Timing
) -> None:
    """Invite one person into an existing group, the way a refill does."""
    await invite(
        session, group_id, [participant_id], datetime.now(UTC) + timedelta(days=timing.invitation_days)
    )
    await stage(session, outbox, GroupMemberJoined(group_id=group_id, participant_id=participant_id))
