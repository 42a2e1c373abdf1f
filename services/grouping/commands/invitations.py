"""A group before it starts, and a person's place in it: answering or letting an invitation lapse, then
starting, refilling from the pool or dissolving the group; leaving a group; forgetting a person."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import (
    GroupDissolved,
    GroupMemberJoined,
    GroupMemberLeft,
    GroupStarted,
    InvitationAnswered,
)
from shared.messaging import Outbox

from .. import domain, lifecycle
from ..models import (
    admission_candidates,
    admission_votes,
    candidate_votes,
    groups,
    invitations,
    memberships,
    pool,
)
from .common import (
    ACTIVE,
    GroupingError,
    Timing,
    active_membership,
    invite,
    members_by_status,
    person_from_row,
    stage,
)
from .newcomers import newcomer_answered
from .planning import request_planning


async def answer_invitation(
    session: AsyncSession,
    outbox: Outbox,
    participant_id: uuid.UUID,
    *,
    accept: bool,
    confidentiality_confirmed: bool,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
) -> str:
    membership = await active_membership(session, participant_id)
    if membership is None or membership.status != "invited":
        raise GroupingError("there is no open invitation for you (it may have expired or been answered)")
    if accept and not confidentiality_confirmed:
        raise GroupingError("to join you must confirm the confidentiality agreement")
    group_id = membership.group_id
    now = datetime.now(UTC)
    await session.execute(
        update(memberships)
        .where(memberships.c.group_id == group_id, memberships.c.participant_id == participant_id)
        .values(status="accepted" if accept else "declined", responded_at=now)
    )
    if accept:
        await session.execute(
            update(invitations)
            .where(invitations.c.group_id == group_id, invitations.c.participant_id == participant_id)
            .values(confidentiality_confirmed_at=now)
        )
        await session.execute(
            update(pool).where(pool.c.participant_id == participant_id).values(status="member")
        )
    else:
        await return_to_pool(session, [participant_id])
    await stage(
        session, outbox, InvitationAnswered(group_id=group_id, participant_id=participant_id, accepted=accept)
    )
    if not accept:
        await stage(
            session,
            outbox,
            GroupMemberLeft(group_id=group_id, participant_id=participant_id, before_start=True),
        )
    await evaluate_group(session, outbox, group_id, as_of=as_of, rules=rules, timing=timing)
    if membership.group_status == "started":  # a newcomer the group voted in
        await newcomer_answered(
            session,
            outbox,
            group_id,
            participant_id,
            accepted=accept,
            as_of=as_of,
            rules=rules,
            timing=timing,
        )
    return "accepted" if accept else "declined"


async def return_to_pool(session: AsyncSession, participant_ids: list[uuid.UUID]) -> None:
    # The pool row keeps its registered_at: people go back with their original waiting time.
    await session.execute(
        update(pool).where(pool.c.participant_id.in_(participant_ids)).values(status="waiting")
    )
    districts = (
        await session.execute(
            select(pool.c.district).where(pool.c.participant_id.in_(participant_ids)).distinct()
        )
    ).scalars()
    for district in districts:
        await request_planning(session, district)


async def evaluate_group(
    session: AsyncSession,
    outbox: Outbox,
    group_id: uuid.UUID,
    *,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
    now: datetime | None = None,
) -> lifecycle.StartDecision | None:
    """After an answer, expiry or withdrawal before the start: start, wait, refill from the pool, or dissolve.
    `now`: the moment the group's answer deadline is compared with (default: the clock)."""
    now = now or datetime.now(UTC)
    group = (
        await session.execute(select(groups).where(groups.c.group_id == group_id).with_for_update())
    ).one()
    if group.status != "proposed":
        return None
    by_status = await members_by_status(session, group_id)
    accepted, pending = by_status.get("accepted", []), by_status.get("invited", [])
    answers = lifecycle.Answers(len(accepted), len(pending), len(by_status.get("declined", [])))
    candidates: list[domain.Person] = []
    if answers.accepted + answers.pending < rules.min_size:
        candidates = await backfill(session, group, accepted + pending, as_of, rules)
    deadline = group.formed_at + timedelta(days=timing.invitation_days)
    decision = lifecycle.decide_start(
        answers, rules, backfill_possible=bool(candidates), before_deadline=now < deadline
    )
    if decision is lifecycle.StartDecision.backfill:
        newcomers = [uuid.UUID(p.participant_id) for p in candidates]
        await invite(session, group_id, newcomers, now + timedelta(days=timing.invitation_days))
        for participant_id in newcomers:
            await stage(session, outbox, GroupMemberJoined(group_id=group_id, participant_id=participant_id))
    elif decision is lifecycle.StartDecision.dissolve:
        await dissolve(session, outbox, group_id, reason="too few members could take part")
    elif decision is lifecycle.StartDecision.start:
        await session.execute(
            update(groups)
            .where(groups.c.group_id == group_id)
            .values(status="started", started_at=func.now())
        )
        await stage(session, outbox, GroupStarted(group_id=group_id, members=accepted))
    return decision


async def backfill(
    session: AsyncSession, group: Any, member_ids: list[uuid.UUID], as_of: date, rules: domain.PlanningRules
) -> list[domain.Person]:
    members = [
        person_from_row(r)
        for r in (await session.execute(select(pool).where(pool.c.participant_id.in_(member_ids)))).all()
    ]
    # Someone who declined or let this group's invitation lapse is not asked again.
    asked_before = select(memberships.c.participant_id).where(memberships.c.group_id == group.group_id)
    waiting = [
        person_from_row(r)
        for r in (
            await session.execute(
                select(pool)
                .where(
                    pool.c.district == group.district,
                    pool.c.status == "waiting",
                    pool.c.participant_id.not_in(asked_before),
                )
                .with_for_update(skip_locked=True)
            )
        ).all()
    ]
    places = rules.target_size - len(members)
    return lifecycle.backfill_candidates(members, group.slot, group.format, waiting, rules, as_of, places)


async def dissolve(session: AsyncSession, outbox: Outbox, group_id: uuid.UUID, *, reason: str) -> None:
    active = (
        (
            await session.execute(
                select(memberships.c.participant_id).where(
                    memberships.c.group_id == group_id, memberships.c.status.in_(ACTIVE)
                )
            )
        )
        .scalars()
        .all()
    )
    await session.execute(
        update(memberships)
        .where(memberships.c.group_id == group_id, memberships.c.status.in_(ACTIVE))
        .values(status="left")
    )
    await session.execute(
        update(groups).where(groups.c.group_id == group_id).values(status="dissolved", closed_at=func.now())
    )
    if active:
        await return_to_pool(session, list(active))
    await stage(session, outbox, GroupDissolved(group_id=group_id, reason=reason, members=list(active)))


async def start_due_groups(
    session: AsyncSession,
    outbox: Outbox,
    *,
    now: datetime,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
) -> int:
    """Proposed groups that everyone has answered, kept open for newcomers until their answer deadline
    (`rules.start_at_deadline`): start them once it has passed."""
    if not rules.start_at_deadline:
        return 0
    pending = select(memberships.c.group_id).where(memberships.c.status == "invited")
    due = (
        await session.execute(
            select(groups.c.group_id)
            .where(
                groups.c.status == "proposed",
                groups.c.formed_at <= now - timedelta(days=timing.invitation_days),
                groups.c.group_id.not_in(pending),
            )
            .limit(100)
        )
    ).scalars()
    started = 0
    for group_id in list(due):
        decision = await evaluate_group(
            session, outbox, group_id, as_of=as_of, rules=rules, timing=timing, now=now
        )
        started += decision is lifecycle.StartDecision.start
    return started


async def expire_invitations(
    session: AsyncSession,
    outbox: Outbox,
    *,
    now: datetime,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
) -> int:
    """An invitation not answered in time frees the place, like a decline."""
    expired = (
        await session.execute(
            select(memberships.c.group_id, memberships.c.participant_id)
            .join(
                invitations,
                and_(
                    invitations.c.group_id == memberships.c.group_id,
                    invitations.c.participant_id == memberships.c.participant_id,
                ),
            )
            .where(memberships.c.status == "invited", invitations.c.expires_at <= now)
            .with_for_update(of=memberships, skip_locked=True)
            .limit(200)
        )
    ).all()
    for row in expired:
        await session.execute(
            update(memberships)
            .where(memberships.c.group_id == row.group_id, memberships.c.participant_id == row.participant_id)
            .values(status="expired", responded_at=now)
        )
        await return_to_pool(session, [row.participant_id])
        await stage(
            session,
            outbox,
            GroupMemberLeft(group_id=row.group_id, participant_id=row.participant_id, before_start=True),
        )
        # A newcomer invited by the group's vote: the next accepted candidate, if any, is invited.
        await newcomer_answered(
            session,
            outbox,
            row.group_id,
            row.participant_id,
            accepted=False,
            as_of=as_of,
            rules=rules,
            timing=timing,
            now=now,
        )
    for group_id in {row.group_id for row in expired}:
        await evaluate_group(session, outbox, group_id, as_of=as_of, rules=rules, timing=timing)
    return len(expired)


async def leave(
    session: AsyncSession,
    outbox: Outbox,
    participant_id: uuid.UUID,
    *,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
    cause: Any = None,
) -> bool:
    """The person leaves their group (or withdraws before it starts)."""
    membership = await active_membership(session, participant_id)
    if membership is None:
        return False
    group_id = membership.group_id
    await session.execute(
        update(memberships)
        .where(memberships.c.group_id == group_id, memberships.c.participant_id == participant_id)
        .values(status="left", responded_at=func.now())
    )
    before_start = membership.group_status == "proposed"
    await stage(
        session,
        outbox,
        GroupMemberLeft(group_id=group_id, participant_id=participant_id, before_start=before_start),
        cause,
    )
    if before_start:
        await evaluate_group(session, outbox, group_id, as_of=as_of, rules=rules, timing=timing)
        return True
    from .leaving import flag_if_below_minimum  # leaving builds on this module's refill and pool

    await flag_if_below_minimum(session, outbox, group_id, rules, cause)
    return True


async def forget_person(session: AsyncSession, participant_id: uuid.UUID) -> int:
    deleted = 0
    for table in (pool, memberships, invitations, admission_votes, admission_candidates):
        deleted += (
            await session.execute(delete(table).where(table.c.participant_id == participant_id))
        ).rowcount
    deleted += (
        await session.execute(delete(candidate_votes).where(candidate_votes.c.voter_id == participant_id))
    ).rowcount
    return deleted
