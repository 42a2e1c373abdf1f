"""A member leaves a running group by their own choice (the leave page behind their signed link), and
what follows: the others are told someone has left, and a group that falls below the minimum says so at
once (`group.below_minimum.v1`) to its members and its district office.

A second click changes nothing: the person is no longer an active member, and `NotAMember` says so.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import GroupBelowMinimum, GroupMemberLeft
from shared.messaging import Outbox

from .. import domain
from ..models import groups, memberships, pool
from ..reasons import below_minimum_flag
from .common import GroupingError, Timing, active_membership, members_by_status, stage
from .invitations import leave, return_to_pool


class NotAMember(GroupingError):
    """The person is not (or no longer) a member of this group: leaving again changes nothing."""


async def leave_group(
    session: AsyncSession,
    outbox: Outbox,
    participant_id: uuid.UUID,
    group_id: uuid.UUID,
    *,
    goodbye_first_name: bool,
    back_to_pool: bool,
    as_of: date,
    rules: domain.PlanningRules | None = None,
    timing: Timing | None = None,
) -> None:
    """The person leaves `group_id`. `goodbye_first_name`: the others may hear their first name (else only
    that someone has left); `back_to_pool`: they wait for another group with their original waiting time.
    Before the group starts this is the same as declining (the group may be refilled or dissolved)."""
    rules = rules or domain.PlanningRules()
    membership = await active_membership(session, participant_id)
    if membership is None or membership.group_id != group_id:
        raise NotAMember("you are not a member of this group (you may have left it already)")
    if membership.group_status != "started":
        # Not started: the invitation's own way out, which refills or dissolves the group.
        await leave(session, outbox, participant_id, as_of=as_of, rules=rules, timing=timing or Timing())
        await _after_leaving(session, participant_id, back_to_pool)
        return
    await session.execute(
        update(memberships)
        .where(memberships.c.group_id == group_id, memberships.c.participant_id == participant_id)
        .values(status="left", responded_at=func.now())
    )
    await _after_leaving(session, participant_id, back_to_pool)
    await stage(
        session,
        outbox,
        GroupMemberLeft(
            group_id=group_id,
            participant_id=participant_id,
            say_goodbye=goodbye_first_name,
            back_to_pool=back_to_pool,
        ),
    )
    await flag_if_below_minimum(session, outbox, group_id, rules)


async def _after_leaving(session: AsyncSession, participant_id: uuid.UUID, back_to_pool: bool) -> None:
    if back_to_pool:
        await return_to_pool(session, [participant_id])  # with their original waiting time
    else:
        # Not waiting for anything: whoever wants a group later registers again.
        await session.execute(delete(pool).where(pool.c.participant_id == participant_id))


async def flag_if_below_minimum(
    session: AsyncSession, outbox: Outbox, group_id: uuid.UUID, rules: domain.PlanningRules, cause: Any = None
) -> bool:
    """After someone left a running group: below the minimum, flag it for staff and tell everyone."""
    remaining = (await members_by_status(session, group_id)).get("accepted", [])
    if len(remaining) >= rules.min_size:
        return False
    group = (
        await session.execute(
            select(groups.c.district).where(groups.c.group_id == group_id).with_for_update()
        )
    ).one()
    await session.execute(
        update(groups)
        .where(groups.c.group_id == group_id)
        .values(
            flag=f"{len(remaining)} members (below minimum)", flag_code=below_minimum_flag(len(remaining))
        )
    )
    event = GroupBelowMinimum(
        group_id=group_id, district=group.district, members=len(remaining), member_ids=sorted(remaining)
    )
    await stage(session, outbox, event, cause)
    return True


async def latest_group(session: AsyncSession, participant_id: uuid.UUID) -> Any:
    """The person's current group, or the one they last left (for the leave page's "already left")."""
    return (
        await session.execute(
            select(memberships.c.group_id, memberships.c.status, groups.c.status.label("group_status"))
            .join(groups, groups.c.group_id == memberships.c.group_id)
            .where(memberships.c.participant_id == participant_id)
            .order_by(memberships.c.status.in_(("invited", "accepted")).desc(), groups.c.started_at.desc())
            .limit(1)
        )
    ).one_or_none()
