"""Staff arranging groups by hand: take a person out of a proposed group, move a person from one proposed
group to another (or from the pool into one), form a group from chosen waiting people.

Each is checked against the hard rules (arrangement_rules.py) and refused with codes the page shows in the
reader's language; nobody is added to a started group (closed group: only the members' own admission
vote lets a newcomer in). Each is audited with who and why. The events are the ones the planner's groups
use, so the other services need nothing new: `group.member_left.v1` (before the start) withdraws the
person's invitation (calendar drops them from the group, notifications drops what it had not sent yet, and
the invitation link answers that there is no open invitation), `group.member_joined.v1` invites the person
the way a refill does, and `group.formed.v1` is scheduled and invited like a planned group.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.contracts import GroupMemberLeft
from shared.contracts.vocabulary import MeetingFormat
from shared.messaging import Outbox

from .. import domain
from ..arrangement_rules import rule_breaches
from ..models import audit_log, groups, memberships, pool
from .common import (
    ACTIVE,
    GroupingError,
    Timing,
    active_people,
    invite_joining,
    locked_group,
    locked_person,
    person_from_row,
    stage,
)
from .invitations import evaluate_group, return_to_pool
from .planning import form_group


class ArrangementRefused(GroupingError):
    """Why an arrangement was not made: a code, and the rules it would break (each a code with parameters),
    for the page to show in the reader's language."""

    def __init__(self, code: str, breaches: list[dict[str, Any]] | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.breaches = breaches or []


async def _group(session: AsyncSession, group_id: uuid.UUID, district: str, *, adding: bool) -> Any:
    group = await locked_group(session, group_id, district)
    if group is None:
        raise ArrangementRefused("no_group")
    if group.status == "started" and adding:
        raise ArrangementRefused("closed_group")
    if group.status != "proposed":
        raise ArrangementRefused("not_proposed")
    return group


def _check_joining(
    group: Any, members: list[domain.Person], newcomer: domain.Person, rules, as_of: date
) -> None:
    """The group with the newcomer keeps every hard rule (it may still be below the minimum while the
    existing rules refill it)."""
    found = rule_breaches(
        [*members, newcomer], group.slot, group.format, rules, as_of, below_minimum_allowed=True
    )
    if found:
        raise ArrangementRefused("breaks_rules", found)


async def _leave_proposed(
    session: AsyncSession,
    outbox: Outbox,
    group_id: uuid.UUID,
    pid: uuid.UUID,
    *,
    returned_to_pool: bool = False,
) -> None:
    await session.execute(
        update(memberships)
        .where(memberships.c.group_id == group_id, memberships.c.participant_id == pid)
        .values(status="left", responded_at=func.now())
    )
    left = GroupMemberLeft(
        group_id=group_id, participant_id=pid, before_start=True, returned_to_pool=returned_to_pool
    )
    await stage(session, outbox, left)


async def _join(
    session: AsyncSession, outbox: Outbox, group_id: uuid.UUID, pid: uuid.UUID, timing: Timing
) -> None:
    # Someone taken out of this group earlier may be put back: their old membership row goes first.
    await session.execute(
        delete(memberships).where(
            memberships.c.group_id == group_id,
            memberships.c.participant_id == pid,
            memberships.c.status.not_in(ACTIVE),
        )
    )
    await invite_joining(session, outbox, group_id, pid, timing)


async def take_out(
    session: AsyncSession,
    outbox: Outbox,
    participant_id: uuid.UUID,
    group_id: uuid.UUID,
    *,
    district: str,
    actor: str,
    reason: str,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
) -> None:
    """Back to the pool with their waiting time; the group is looked at again as after a decline (refilled
    from the pool or dissolved when it is below the minimum)."""
    await _group(session, group_id, district, adding=False)
    if participant_id not in {uuid.UUID(p.participant_id) for p in await active_people(session, group_id)}:
        raise ArrangementRefused("not_member")
    await _leave_proposed(session, outbox, group_id, participant_id, returned_to_pool=True)
    await return_to_pool(session, [participant_id])
    await record_audit(
        session,
        audit_log,
        actor=actor,
        action="take_out_of_group",
        district=district,
        subject_id=participant_id,
        detail=f"group {group_id}: {reason}"[:500],
    )
    await evaluate_group(session, outbox, group_id, as_of=as_of, rules=rules, timing=timing)


async def move_to_group(
    session: AsyncSession,
    outbox: Outbox,
    participant_id: uuid.UUID,
    to_group: uuid.UUID,
    *,
    district: str,
    actor: str,
    reason: str,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
) -> uuid.UUID | None:
    """Move a person into a proposed group: from the pool, or from the proposed group they are in (which is
    then looked at again). The group they came from, if any."""
    # Both groups are locked in one order (by id), so two staff moving people between the same two
    # groups in opposite directions wait for each other instead of deadlocking.
    current_id = await session.scalar(
        select(memberships.c.group_id).where(
            memberships.c.participant_id == participant_id, memberships.c.status.in_(ACTIVE)
        )
    )
    if current_id is not None and current_id != to_group and current_id < to_group:
        await session.execute(
            select(groups.c.group_id).where(groups.c.group_id == current_id).with_for_update()
        )
    target = await _group(session, to_group, district, adding=True)
    row = await locked_person(session, participant_id, district)
    if row is None:
        raise ArrangementRefused("not_waiting")
    current = (
        await session.execute(
            select(memberships.c.group_id, groups.c.status)
            .join(groups, groups.c.group_id == memberships.c.group_id)
            .where(memberships.c.participant_id == participant_id, memberships.c.status.in_(ACTIVE))
        )
    ).one_or_none()
    if current is not None and current.group_id == to_group:
        raise ArrangementRefused("same_group")
    if current is not None and current.status != "proposed":
        raise ArrangementRefused("not_proposed")  # a member of a started group leaves it themselves
    if current is None and row.status != "waiting":
        raise ArrangementRefused("not_waiting")
    _check_joining(target, await active_people(session, to_group), person_from_row(row), rules, as_of)
    if current is not None:
        await _group(session, current.group_id, district, adding=False)  # locked, as the target is
        await _leave_proposed(session, outbox, current.group_id, participant_id)
    await _join(session, outbox, to_group, participant_id, timing)
    await record_audit(
        session,
        audit_log,
        actor=actor,
        action="move_to_group",
        district=district,
        subject_id=participant_id,
        detail=(f"from group {current.group_id} " if current else "from the pool ")
        + f"to group {to_group}: {reason}"[:400],
    )
    if current is not None:
        await evaluate_group(session, outbox, current.group_id, as_of=as_of, rules=rules, timing=timing)
        return current.group_id
    return None


async def form_by_hand(
    session: AsyncSession,
    outbox: Outbox,
    participant_ids: list[uuid.UUID],
    *,
    slot: str,
    meeting_format: str,
    district: str,
    actor: str,
    reason: str,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
) -> uuid.UUID:
    """A new proposed group of waiting people staff chose; invited and scheduled like a planned group."""
    if not participant_ids or meeting_format not in (MeetingFormat.in_person, MeetingFormat.digital):
        raise ArrangementRefused("bad_choice")
    rows = (
        await session.execute(
            select(pool)
            .where(pool.c.participant_id.in_(participant_ids), pool.c.district == district)
            .order_by(pool.c.participant_id)
            .with_for_update()
        )
    ).all()
    if len(rows) != len(set(participant_ids)) or any(r.status != "waiting" for r in rows):
        raise ArrangementRefused("not_waiting")
    people = [person_from_row(r) for r in rows]
    found = rule_breaches(people, slot, meeting_format, rules, as_of)
    if found:
        raise ArrangementRefused("breaks_rules", found)
    members = [uuid.UUID(p.participant_id) for p in people]
    group_id = await form_group(
        session,
        outbox,
        district=district,
        slot=slot,
        meeting_format=MeetingFormat(meeting_format),
        members=members,
        topics=sorted({str(p.topic) for p in people}),
        municipalities=sorted({p.municipality for p in people}),
        respond_by=datetime.now(UTC) + timedelta(days=timing.invitation_days),
    )
    await record_audit(
        session,
        audit_log,
        actor=actor,
        action="form_group_by_hand",
        district=district,
        subject_id=group_id,
        detail=f"{len(members)} people: {reason}"[:500],
    )
    return group_id
