"""The members' vote on newcomers: each member's yes or no per candidate, decided when every member has
voted on every candidate or at the deadline (a job on the service clock) by those who voted."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import utc_now
from shared.contracts import GroupAdmissionDecided
from shared.messaging import Outbox

from .. import domain, newcomer_rules
from ..models import admission_candidates, admission_requests, candidate_votes, groups, memberships
from .common import Timing, stage
from .newcomers import NewcomerError, invite_accepted, members_of


async def vote_on_candidates(
    session: AsyncSession,
    outbox: Outbox,
    participant_id: uuid.UUID,
    votes: dict[int, bool],
    *,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
    now: datetime | None = None,
) -> str:
    """A member's yes or no per candidate (by position); it may be changed until the vote is decided.
    The vote is decided at once when every member has voted on every candidate."""
    now = now or utc_now()
    group_id = await session.scalar(
        select(memberships.c.group_id)
        .join(groups, groups.c.group_id == memberships.c.group_id)
        .where(
            memberships.c.participant_id == participant_id,
            memberships.c.status == "accepted",
            groups.c.status == "started",
        )
    )
    if group_id is None:
        raise NewcomerError("not_member", "only members of a running group can vote")
    request = (
        await session.execute(
            select(admission_requests)
            .where(admission_requests.c.group_id == group_id, admission_requests.c.status == "voting")
            .with_for_update()
        )
    ).first()
    if request is None:
        raise NewcomerError("no_vote", "there is no open vote on newcomers in your group")
    positions = set(
        (
            await session.execute(
                select(admission_candidates.c.position).where(
                    admission_candidates.c.request_id == request.request_id
                )
            )
        ).scalars()
    )
    if not votes or not set(votes) <= positions:
        raise NewcomerError("vote_each", "give a yes or a no for each candidate")
    statement = insert(candidate_votes).values(
        [
            {"request_id": request.request_id, "position": position, "voter_id": participant_id, "yes": yes}
            for position, yes in votes.items()
        ]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["request_id", "position", "voter_id"],
            set_={"yes": statement.excluded.yes, "voted_at": func.now()},
        )
    )
    voters = await members_of(session, group_id)
    counts = dict(
        (
            await session.execute(
                select(candidate_votes.c.voter_id, func.count())
                .where(candidate_votes.c.request_id == request.request_id)
                .group_by(candidate_votes.c.voter_id)
            )
        ).all()
    )
    if newcomer_rules.everyone_voted(voters, len(positions), counts):
        return await decide_request(
            session, outbox, request, now=now, as_of=as_of, rules=rules, timing=timing
        )
    return "voting"


async def decide_request(
    session: AsyncSession,
    outbox: Outbox,
    request: Any,
    *,
    now: datetime,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
) -> str:
    """Decided by those who voted: each candidate with a majority of yes is accepted; the accepted are
    invited, longest-waiting first, up to the number wanted."""
    cast = (
        await session.execute(
            select(candidate_votes.c.position, candidate_votes.c.yes).where(
                candidate_votes.c.request_id == request.request_id
            )
        )
    ).all()
    tallies = newcomer_rules.tally_votes((row.position, row.yes) for row in cast)
    candidates = (
        await session.execute(
            select(admission_candidates.c.participant_id, admission_candidates.c.position).where(
                admission_candidates.c.request_id == request.request_id
            )
        )
    ).all()
    accepted = [
        c.participant_id
        for c in candidates
        if newcomer_rules.accepted_by_vote(tallies.get(c.position, newcomer_rules.Tally()))
    ]
    for participant_ids, status in ((accepted, "accepted"), (None, "refused")):
        condition = (
            admission_candidates.c.participant_id.in_(participant_ids)
            if participant_ids is not None
            else admission_candidates.c.status == "proposed"
        )
        await session.execute(
            update(admission_candidates)
            .where(admission_candidates.c.request_id == request.request_id, condition)
            .values(status=status)
        )
    outcome = "inviting" if accepted else "refused"
    await session.execute(
        update(admission_requests)
        .where(admission_requests.c.request_id == request.request_id)
        .values(status=outcome, decided_at=now)
    )
    await stage(
        session,
        outbox,
        GroupAdmissionDecided(
            group_id=request.group_id, request_id=request.request_id, admitted=bool(accepted)
        ),
    )
    if accepted:
        return await invite_accepted(
            session, outbox, request.request_id, now=now, as_of=as_of, rules=rules, timing=timing
        )
    return outcome


async def decide_due_requests(
    session: AsyncSession,
    outbox: Outbox,
    *,
    now: datetime,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
) -> int:
    """The deadline job: every vote whose deadline has passed is decided by those who voted."""
    due = (
        await session.execute(
            select(admission_requests)
            .where(admission_requests.c.status == "voting", admission_requests.c.vote_by <= now)
            .order_by(admission_requests.c.vote_by)
            .limit(50)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for request in due:
        await decide_request(session, outbox, request, now=now, as_of=as_of, rules=rules, timing=timing)
    return len(due)
