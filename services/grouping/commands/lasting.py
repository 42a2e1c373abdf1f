"""The `lasting` policy's reads and writes around a district's plan (the decision itself is pure:
planning/policy.py, the same code the simulation runs): who arrived recently, for the rate of people who
would fit a group held back; topping up the district's proposed groups with fitting newcomers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import GroupMemberJoined
from shared.messaging import Outbox

from .. import domain
from ..models import groups, memberships, pool
from ..planning.policy import PolicySettings, top_up_candidates
from .common import Timing, active_people, invite, person_from_row, stage


async def recent_arrivals(
    session: AsyncSession, district: str, as_of: date, policy: PolicySettings
) -> list[domain.Person]:
    """Everyone who registered in the district within the lookback window, whatever became of them."""
    since = datetime(as_of.year, as_of.month, as_of.day, tzinfo=UTC) - timedelta(days=policy.lookback_days)
    rows = await session.execute(
        select(pool).where(pool.c.district == district, pool.c.registered_at >= since)
    )
    return [person_from_row(r) for r in rows.all()]


async def top_up_proposed(
    session: AsyncSession,
    outbox: Outbox,
    district: str,
    waiting: list[domain.Person],
    *,
    as_of: date,
    rules: domain.PlanningRules,
    policy: PolicySettings,
    timing: Timing,
) -> set[str]:
    """Invite waiting people who fit a proposed (not yet started) group of the district, up to its target
    size, longest-waiting first; nobody is asked again into a group they declined. Who was invited."""
    if policy.policy != "lasting" or not policy.top_up:
        return set()
    proposed = (
        await session.execute(
            select(groups.c.group_id, groups.c.slot, groups.c.format)
            .where(groups.c.district == district, groups.c.status == "proposed")
            .order_by(groups.c.group_id)
            .with_for_update(skip_locked=True)
        )
    ).all()
    taken: set[str] = set()
    for group in proposed:
        members = await active_people(session, group.group_id)
        if not members or len(members) >= rules.target_size:
            continue
        asked = set(
            (
                await session.execute(
                    select(memberships.c.participant_id).where(memberships.c.group_id == group.group_id)
                )
            )
            .scalars()
            .all()
        )
        candidates = [
            p for p in waiting if p.participant_id not in taken and uuid.UUID(p.participant_id) not in asked
        ]
        chosen = top_up_candidates(members, group.slot, group.format, candidates, rules, policy, as_of)
        if not chosen:
            continue
        newcomers = [uuid.UUID(p.participant_id) for p in chosen]
        await invite(
            session, group.group_id, newcomers, datetime.now(UTC) + timedelta(days=timing.invitation_days)
        )
        for participant_id in newcomers:
            await stage(
                session, outbox, GroupMemberJoined(group_id=group.group_id, participant_id=participant_id)
            )
        taken |= {p.participant_id for p in chosen}
    return taken
