"""The staff console's changes to a proposed group: approve it, move a waiting person in, split it in two.
Each is audited."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.contracts import GroupMemberLeft
from shared.messaging import Outbox

from .. import domain, lifecycle
from ..models import audit_log, groups, invitations, memberships
from ..planning.rules import member_violations
from .common import (
    GroupingError,
    Timing,
    active_people,
    invite_joining,
    locked_group,
    locked_person,
    person_from_row,
    stage,
)
from .invitations import evaluate_group
from .planning import form_group


# --- staff console: approve, move a person in, split (each audited) ------------------------------------
async def _proposed_group(session: AsyncSession, group_id: uuid.UUID, district: str) -> Any:
    group = await locked_group(session, group_id, district)
    if group is None:
        raise GroupingError("no such group in your district")
    if group.status != "proposed":
        raise GroupingError("only a proposed group (not yet started) can be changed here")
    return group


async def approve_group(session: AsyncSession, group_id: uuid.UUID, *, district: str, actor: str) -> None:
    """Staff have looked at a proposed group and stand behind it (recorded; the invitations go on)."""
    await _proposed_group(session, group_id, district)
    await session.execute(
        update(groups).where(groups.c.group_id == group_id).values(approved_by=actor, approved_at=func.now())
    )
    await record_audit(
        session, audit_log, actor=actor, action="approve_group", district=district, subject_id=group_id
    )


async def move_into_group(
    session: AsyncSession,
    outbox: Outbox,
    participant_id: uuid.UUID,
    group_id: uuid.UUID,
    *,
    district: str,
    actor: str,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
) -> None:
    """Invite a waiting person into a proposed group, if the group still keeps every hard rule."""
    group = await _proposed_group(session, group_id, district)
    row = await locked_person(session, participant_id, district)
    if row is None or row.status != "waiting":
        raise GroupingError("the person is not waiting in your district")
    members = await active_people(session, group_id)
    if len(members) >= rules.max_size:
        raise GroupingError(f"the group is full ({rules.max_size} people)")
    if not lifecycle.fits_so_far([*members, person_from_row(row)], group.slot, group.format, rules, as_of):
        raise GroupingError(
            "the group would break the rules (time, distance, age span, topic or gender wishes)"
        )
    await invite_joining(session, outbox, group_id, participant_id, timing)
    await record_audit(
        session,
        audit_log,
        actor=actor,
        action="move_into_group",
        district=district,
        subject_id=participant_id,
        detail=f"group {group_id}",
    )


def split_members(
    members: list[domain.Person], slot: str, meeting_format: Any, rules: domain.PlanningRules, as_of: date
) -> tuple[list[domain.Person], list[domain.Person]] | None:
    """Two groups that each keep every hard rule, cutting the members by age (the most natural seam)."""
    ordered = sorted(members, key=lambda p: (p.birth_date, p.participant_id))
    cuts = range(rules.min_size, len(ordered) - rules.min_size + 1)
    for cut in sorted(cuts, key=lambda c: abs(len(ordered) / 2 - c)):  # as even as possible first
        first, second = ordered[:cut], ordered[cut:]
        if all(not member_violations(part, slot, meeting_format, rules, as_of) for part in (first, second)):
            return first, second
    return None


async def split_group(
    session: AsyncSession,
    outbox: Outbox,
    group_id: uuid.UUID,
    *,
    district: str,
    actor: str,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
) -> uuid.UUID:
    """Split a proposed group into two valid ones; the people moved are invited to the new group afresh."""
    group = await _proposed_group(session, group_id, district)
    members = await active_people(session, group_id)
    parts = split_members(members, group.slot, group.format, rules, as_of)
    if parts is None:
        raise GroupingError(
            f"the group cannot be split into two groups of at least {rules.min_size} that keep the rules"
        )
    moved = [uuid.UUID(p.participant_id) for p in parts[1]]
    await session.execute(
        update(groups)
        .where(groups.c.group_id == group_id)
        .values(
            topics=sorted({str(p.topic) for p in parts[0]}),
            municipalities=sorted({p.municipality for p in parts[0]}),
        )
    )
    await session.execute(
        delete(invitations).where(invitations.c.group_id == group_id, invitations.c.participant_id.in_(moved))
    )
    await session.execute(
        delete(memberships).where(memberships.c.group_id == group_id, memberships.c.participant_id.in_(moved))
    )
    for participant_id in moved:
        await stage(
            session,
            outbox,
            GroupMemberLeft(group_id=group_id, participant_id=participant_id, before_start=True),
        )
    # The people moved are invited to the new group afresh.
    new_id = await form_group(
        session,
        outbox,
        district=district,
        slot=group.slot,
        meeting_format=group.format,
        members=moved,
        topics=sorted({str(p.topic) for p in parts[1]}),
        municipalities=sorted({p.municipality for p in parts[1]}),
        respond_by=datetime.now(UTC) + timedelta(days=timing.invitation_days),
    )
    await record_audit(
        session,
        audit_log,
        actor=actor,
        action="split_group",
        district=district,
        subject_id=group_id,
        detail=f"{len(moved)} people to group {new_id}",
    )
    # Those left may all have accepted already: the group can start now.
    await evaluate_group(session, outbox, group_id, as_of=as_of, rules=rules, timing=timing)
    return new_id


# --- flags: why staff should look at a group ---------------------------------------------------------
