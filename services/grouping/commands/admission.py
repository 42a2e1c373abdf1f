"""Admitting a newcomer to a running group: the members ask, vote, and a yes offers the place to the
longest-waiting person who fits."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import GroupAdmissionDecided, GroupAdmissionRequested, GroupMemberJoined
from shared.messaging import Outbox

from .. import domain, lifecycle
from ..models import admission_requests, admission_votes, groups
from .common import GroupingError, Timing, active_membership, invite, members_by_status, stage
from .invitations import backfill


async def request_admission(
    session: AsyncSession, outbox: Outbox, group_id: uuid.UUID, *, timing: Timing
) -> uuid.UUID:
    group = (
        await session.execute(select(groups).where(groups.c.group_id == group_id).with_for_update())
    ).one_or_none()
    if group is None or group.status != "started":
        raise GroupingError("only a running group can ask to admit a newcomer")
    open_request = await session.scalar(
        select(admission_requests.c.request_id).where(
            admission_requests.c.group_id == group_id, admission_requests.c.status == "voting"
        )
    )
    if open_request is not None:
        return open_request
    members = (await members_by_status(session, group_id)).get("accepted", [])
    request_id = uuid.uuid4()
    vote_by = datetime.now(UTC) + timedelta(days=timing.admission_vote_days)
    await session.execute(
        insert(admission_requests).values(
            request_id=request_id, group_id=group_id, status="voting", vote_by=vote_by
        )
    )
    await stage(
        session,
        outbox,
        GroupAdmissionRequested(group_id=group_id, request_id=request_id, members=members, vote_by=vote_by),
    )
    return request_id


async def vote_on_admission(
    session: AsyncSession,
    outbox: Outbox,
    participant_id: uuid.UUID,
    *,
    yes: bool,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
) -> str:
    membership = await active_membership(session, participant_id)
    if membership is None or membership.status != "accepted":
        raise GroupingError("only members of the group can vote")
    request = (
        await session.execute(
            select(admission_requests)
            .where(
                admission_requests.c.group_id == membership.group_id, admission_requests.c.status == "voting"
            )
            .with_for_update()
        )
    ).one_or_none()
    if request is None:
        raise GroupingError("there is no open vote in your group")
    await session.execute(
        insert(admission_votes)
        .values(request_id=request.request_id, participant_id=participant_id, yes=yes)
        .on_conflict_do_update(index_elements=["request_id", "participant_id"], set_={"yes": yes})
    )
    return await decide_admission(session, outbox, request, as_of=as_of, rules=rules, timing=timing)


async def decide_admission(
    session: AsyncSession,
    outbox: Outbox,
    request: Any,
    *,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
) -> str:
    votes = (
        (
            await session.execute(
                select(admission_votes.c.yes).where(admission_votes.c.request_id == request.request_id)
            )
        )
        .scalars()
        .all()
    )
    members = len((await members_by_status(session, request.group_id)).get("accepted", []))
    outcome = lifecycle.admission_outcome(
        sum(votes), len(votes) - sum(votes), members, deadline_passed=request.vote_by <= datetime.now(UTC)
    )
    if outcome is lifecycle.AdmissionOutcome.pending:
        return outcome.value
    await session.execute(
        update(admission_requests)
        .where(admission_requests.c.request_id == request.request_id)
        .values(status=outcome.value)
    )
    admitted = outcome is lifecycle.AdmissionOutcome.admitted
    await stage(
        session,
        outbox,
        GroupAdmissionDecided(group_id=request.group_id, request_id=request.request_id, admitted=admitted),
    )
    if admitted:
        await offer_place(session, outbox, request.group_id, as_of=as_of, rules=rules, timing=timing)
    return outcome.value


async def offer_place(
    session: AsyncSession,
    outbox: Outbox,
    group_id: uuid.UUID,
    *,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
) -> uuid.UUID | None:
    """Only after a yes-vote: invite the longest-waiting person who fits the running group."""
    group = (await session.execute(select(groups).where(groups.c.group_id == group_id))).one()
    members = (await members_by_status(session, group_id)).get("accepted", [])
    candidates = await backfill(session, group, members, as_of, rules)
    if not candidates:
        return None
    newcomer = uuid.UUID(candidates[0].participant_id)
    await invite(session, group_id, [newcomer], datetime.now(UTC) + timedelta(days=timing.invitation_days))
    await stage(session, outbox, GroupMemberJoined(group_id=group_id, participant_id=newcomer))
    return newcomer
