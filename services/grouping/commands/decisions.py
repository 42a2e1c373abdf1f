"""A group's own decisions: opened when the group falls below the minimum or a member proposes a change,
voted on by the members through their links, decided at the deadline (or once everyone answered) by the
rules in decision_rules.py, and then carried out: newcomers asked for, a merge put to the other group,
the schedule changed, or the group ended."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import GroupDecisionOpened, GroupDecisionReached
from shared.messaging import Outbox

from .. import decision_rules as rules_
from ..decision_models import decision_votes, decisions
from ..decision_rules import Change, Kind, Result
from ..domain import PlanningRules
from ..models import groups, memberships
from .common import GroupingError, stage
from .merging import find_merge_partner
from .outcomes import carry_out


@dataclass(frozen=True)
class DecisionContext:
    """What deciding needs besides the database: the moment (service clock), the day in Norway, the
    group rules and the settings of decisions."""

    now: datetime
    today: date
    rules: PlanningRules
    days: int = 7
    max_pause_days: int = 70


async def _members(session: AsyncSession, group_id: uuid.UUID) -> list[uuid.UUID]:
    return list(
        (
            await session.execute(
                select(memberships.c.participant_id)
                .where(memberships.c.group_id == group_id, memberships.c.status == "accepted")
                .order_by(memberships.c.participant_id)
            )
        ).scalars()
    )


async def open_decision(
    session: AsyncSession,
    outbox: Outbox,
    group: Any,
    kind: Kind,
    ctx: DecisionContext,
    *,
    proposal: dict[str, Any],
    proposed_by: uuid.UUID | None,
    choices: tuple[str, ...],
) -> uuid.UUID | None:
    decision_id = uuid.uuid4()
    deadline = rules_.deadline(ctx.now, ctx.days)
    inserted = await session.scalar(
        insert(decisions)
        .values(
            decision_id=decision_id,
            group_id=group.group_id,
            district=group.district,
            kind=kind.value,
            proposal=proposal,
            proposed_by=proposed_by,
            opened_at=ctx.now,
            deadline=deadline,
        )
        .on_conflict_do_nothing()
        .returning(decisions.c.decision_id)
    )
    if inserted is None:  # one open decision of a kind at a time
        return None
    members = await _members(session, group.group_id)
    await stage(
        session,
        outbox,
        GroupDecisionOpened(
            decision_id=decision_id,
            group_id=group.group_id,
            kind=kind.value,
            proposal=proposal,
            choices=list(choices),
            members=members,
            deadline=deadline,
        ),
    )
    return decision_id


async def open_below_minimum(
    session: AsyncSession, outbox: Outbox, group_id: uuid.UUID, ctx: DecisionContext
) -> uuid.UUID | None:
    """The group fell below the minimum: newcomers, a merge with a small group nearby, or the end."""
    group = (
        await session.execute(select(groups).where(groups.c.group_id == group_id).with_for_update())
    ).one_or_none()
    if group is None or group.status != "started":
        return None
    partner = await find_merge_partner(session, group, ctx.rules, ctx.today)
    proposal = {"merge_with": str(partner)} if partner else {}
    return await open_decision(
        session,
        outbox,
        group,
        Kind.below_minimum,
        ctx,
        proposal=proposal,
        proposed_by=None,
        choices=rules_.choices(Kind.below_minimum, merge_possible=partner is not None),
    )


async def groups_below_minimum_without_decision(
    session: AsyncSession, min_size: int, ctx: DecisionContext
) -> list[uuid.UUID]:
    """Running groups under the minimum whose members are not deciding now, nor decided in the last
    decision period (a group that kept things as they were is asked again after that)."""
    counts = (
        select(memberships.c.group_id, func.count().label("n"))
        .where(memberships.c.status == "accepted")
        .group_by(memberships.c.group_id)
        .subquery()
    )
    asked = select(decisions.c.group_id).where(
        decisions.c.kind == Kind.below_minimum.value,
        (decisions.c.status == "open") | (decisions.c.decided_at > ctx.now - timedelta(days=ctx.days)),
    )
    rows = await session.execute(
        select(groups.c.group_id)
        .join(counts, counts.c.group_id == groups.c.group_id)
        .where(groups.c.status == "started", counts.c.n < min_size, groups.c.group_id.not_in(asked))
    )
    return list(rows.scalars())


async def propose_change(
    session: AsyncSession,
    outbox: Outbox,
    participant_id: uuid.UUID,
    change: Change,
    ctx: DecisionContext,
    *,
    interval_weeks: int | None = None,
    pause_from: date | None = None,
    pause_until: date | None = None,
) -> uuid.UUID:
    """A member proposes a change; every member (the proposer too) then votes. Raises GroupingError with a
    message code the page shows in the reader's language."""
    group = await _members_group(session, participant_id)
    problem = rules_.validate_change(
        change,
        today=ctx.today,
        interval_weeks=interval_weeks,
        pause_from=pause_from,
        pause_until=pause_until,
        max_pause_days=ctx.max_pause_days,
    )
    if problem:
        raise GroupingError(problem)
    proposal: dict[str, Any] = {"change": change.value}
    if change is Change.frequency:
        proposal["interval_weeks"] = interval_weeks
    if change is Change.pause:
        proposal |= {"from": pause_from.isoformat(), "until": pause_until.isoformat()}  # type: ignore[union-attr]
    decision_id = await open_decision(
        session,
        outbox,
        group,
        Kind.change,
        ctx,
        proposal=proposal,
        proposed_by=participant_id,
        choices=rules_.YES_NO,
    )
    if decision_id is None:
        raise GroupingError("decision_already_open")
    return decision_id


async def _members_group(session: AsyncSession, participant_id: uuid.UUID) -> Any:
    group = (
        await session.execute(
            select(groups)
            .join(memberships, memberships.c.group_id == groups.c.group_id)
            .where(memberships.c.participant_id == participant_id, memberships.c.status == "accepted")
            .with_for_update(of=groups)
        )
    ).one_or_none()
    if group is None or group.status != "started":
        raise GroupingError("not_a_member")
    return group


async def open_decisions_of(session: AsyncSession, participant_id: uuid.UUID) -> list[Any]:
    """The open decisions of the person's group, with their own vote (None: not voted yet)."""
    rows = await session.execute(
        select(
            decisions, decision_votes.c.choice.label("my_choice"), decision_votes.c.newcomers.label("my_n")
        )
        .join(memberships, memberships.c.group_id == decisions.c.group_id)
        .outerjoin(
            decision_votes,
            (decision_votes.c.decision_id == decisions.c.decision_id)
            & (decision_votes.c.participant_id == participant_id),
        )
        .where(
            memberships.c.participant_id == participant_id,
            memberships.c.status == "accepted",
            decisions.c.status == "open",
        )
        .order_by(decisions.c.opened_at)
    )
    return list(rows.all())


async def vote(
    session: AsyncSession,
    outbox: Outbox,
    participant_id: uuid.UUID,
    decision_id: uuid.UUID,
    choice: str,
    ctx: DecisionContext,
    *,
    newcomers: int | None = None,
) -> Result:
    """A member's vote (a later one replaces the earlier) until the deadline."""
    decision = (
        await session.execute(
            select(decisions)
            .join(memberships, memberships.c.group_id == decisions.c.group_id)
            .where(
                decisions.c.decision_id == decision_id,
                memberships.c.participant_id == participant_id,
                memberships.c.status == "accepted",
            )
            .with_for_update(of=decisions)
        )
    ).one_or_none()
    if decision is None:
        raise GroupingError("not_a_member")
    if decision.status != "open" or decision.deadline <= ctx.now:
        raise GroupingError("decision_closed")
    kind = Kind(decision.kind)
    if choice not in rules_.choices(kind, merge_possible="merge_with" in decision.proposal):
        raise GroupingError("choice_invalid")
    if choice == "newcomers":
        present = len(await _members(session, decision.group_id))
        if newcomers is None or not rules_.valid_newcomers(newcomers, present, ctx.rules):
            raise GroupingError("newcomers_invalid")
    else:
        newcomers = None
    await session.execute(
        insert(decision_votes)
        .values(
            decision_id=decision_id,
            participant_id=participant_id,
            choice=choice,
            newcomers=newcomers,
            voted_at=ctx.now,
        )
        .on_conflict_do_update(
            index_elements=["decision_id", "participant_id"],
            set_={"choice": choice, "newcomers": newcomers, "voted_at": ctx.now},
        )
    )
    return await decide(session, outbox, decision, ctx)


async def decide_due(session: AsyncSession, outbox: Outbox, ctx: DecisionContext, limit: int = 50) -> int:
    """The deadline job's pass: decide every open decision whose deadline has passed."""
    due = (
        await session.execute(
            select(decisions)
            .where(decisions.c.status == "open", decisions.c.deadline <= ctx.now)
            .order_by(decisions.c.deadline)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for decision in due:
        await decide(session, outbox, decision, ctx)
    return len(due)


async def decide(session: AsyncSession, outbox: Outbox, decision: Any, ctx: DecisionContext) -> Result:
    status = await session.scalar(select(groups.c.status).where(groups.c.group_id == decision.group_id))
    if status != "started":  # ended or merged meanwhile: nothing left to decide
        await session.execute(
            update(decisions)
            .where(decisions.c.decision_id == decision.decision_id)
            .values(status="closed", decided_at=ctx.now)
        )
        return Result.kept
    members = await _members(session, decision.group_id)
    # Only the votes of those still in the group count.
    votes = [
        rules_.Vote(row.choice, row.newcomers)
        for row in (
            await session.execute(
                select(decision_votes.c.choice, decision_votes.c.newcomers).where(
                    decision_votes.c.decision_id == decision.decision_id,
                    decision_votes.c.participant_id.in_(members),
                )
            )
        ).all()
    ]
    outcome = rules_.outcome(votes, members=len(members), deadline=decision.deadline, now=ctx.now)
    if not outcome.final:
        return outcome.result
    status = "follow_up" if outcome.result is Result.no_answer else "decided"
    await session.execute(
        update(decisions)
        .where(decisions.c.decision_id == decision.decision_id)
        .values(
            status=status,
            decided_at=ctx.now,
            outcome={"result": outcome.result.value, "newcomers": outcome.newcomers},
        )
    )
    await stage(
        session,
        outbox,
        GroupDecisionReached(
            decision_id=decision.decision_id,
            group_id=decision.group_id,
            kind=decision.kind,
            proposal=decision.proposal,
            result=outcome.result.value,
            newcomers=outcome.newcomers,
            members=members,
        ),
    )
    await carry_out(session, outbox, decision, outcome, ctx)
    return outcome.result


async def forget_voter(session: AsyncSession, participant_id: uuid.UUID) -> int:
    """An erased person's votes go, and their name as proposer (the proposal stays the group's)."""
    deleted = (
        await session.execute(delete(decision_votes).where(decision_votes.c.participant_id == participant_id))
    ).rowcount
    proposed = (
        await session.execute(
            update(decisions).where(decisions.c.proposed_by == participant_id).values(proposed_by=None)
        )
    ).rowcount
    return (deleted or 0) + (proposed or 0)
