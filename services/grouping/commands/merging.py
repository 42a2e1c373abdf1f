"""Two small groups that both agreed become one: the members of one move into the other, which keeps its
time and place. Which other group may be asked is decision_rules.merge_candidates' choice."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.contracts import GroupMerged
from shared.messaging import Outbox

from ..decision_models import decisions
from ..decision_rules import SmallGroup, merge_candidates, remaining_group
from ..domain import PlanningRules
from ..models import audit_log, groups, memberships, pool
from .common import GroupingError, person_from_row, stage


async def _small_group(session: AsyncSession, group: Any) -> SmallGroup:
    rows = await session.execute(
        select(pool)
        .join(memberships, memberships.c.participant_id == pool.c.participant_id)
        .where(memberships.c.group_id == group.group_id, memberships.c.status == "accepted")
        .order_by(pool.c.participant_id)
    )
    return SmallGroup(
        str(group.group_id), group.slot, group.format, tuple(person_from_row(r) for r in rows.all())
    )


async def find_merge_partner(
    session: AsyncSession, group: Any, rules: PlanningRules, as_of: date
) -> uuid.UUID | None:
    """Another running group of the district in the same slot that could take this one's members."""
    others = (
        await session.execute(
            select(groups).where(
                groups.c.district == group.district,
                groups.c.status == "started",
                groups.c.slot == group.slot,
                groups.c.group_id != group.group_id,
            )
        )
    ).all()
    mine = await _small_group(session, group)
    found = merge_candidates(mine, [await _small_group(session, o) for o in others], rules, as_of)
    return uuid.UUID(found[0].group_id) if found else None


async def merge_groups(
    session: AsyncSession, outbox: Outbox, asked_by: uuid.UUID, asked: uuid.UUID, *, actor: str
) -> uuid.UUID:
    """Both groups agreed: the larger remains (the asked one on equal sizes), the other's members move
    into it as members (they confirmed the confidentiality agreement when they first joined)."""
    locked = {
        row.group_id: row
        for row in (
            await session.execute(
                select(groups)
                .where(groups.c.group_id.in_([asked_by, asked]))
                .order_by(groups.c.group_id)  # one lock order, whichever group decides last
                .with_for_update()
            )
        ).all()
    }
    if len(locked) != 2 or any(row.status != "started" for row in locked.values()):
        raise GroupingError("both groups must still be running to merge")
    stays, goes = remaining_group(
        await _small_group(session, locked[asked]), await _small_group(session, locked[asked_by])
    )
    into, source = uuid.UUID(stays.group_id), uuid.UUID(goes.group_id)
    moved = [uuid.UUID(p.participant_id) for p in goes.members]
    await session.execute(
        update(memberships)
        .where(memberships.c.group_id == source, memberships.c.status.in_(("invited", "accepted")))
        .values(status="left", responded_at=func.now())
    )
    if moved:
        await session.execute(
            # One multi-row VALUES, so the database's now() is the moment for every moved member.
            insert(memberships).values(
                [
                    {"group_id": into, "participant_id": p, "status": "accepted", "responded_at": func.now()}
                    for p in moved
                ]
            ),
        )
    await session.execute(
        update(groups)
        .where(groups.c.group_id == source)
        .values(status="ended", closed_at=func.now(), flag=None)
    )
    # The remaining group is whole again if the two together reach the minimum.
    await session.execute(update(groups).where(groups.c.group_id == into).values(flag=None, flag_code=None))
    # The merge answers both groups' other open decisions (below the minimum, or another merge).
    await session.execute(
        update(decisions)
        .where(decisions.c.group_id.in_([into, source]), decisions.c.status == "open")
        .values(status="closed", decided_at=func.now())
    )
    district = locked[into].district
    await record_audit(
        session,
        audit_log,
        actor=actor,
        action="merge_groups",
        district=district,
        subject_id=source,
        detail=f"into {into}",
    )
    members = [uuid.UUID(p.participant_id) for p in stays.members] + moved
    await stage(
        session,
        outbox,
        GroupMerged(
            from_group_id=source, into_group_id=into, district=district, moved=moved, members=members
        ),
    )
    return into
