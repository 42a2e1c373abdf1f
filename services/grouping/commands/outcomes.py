"""Carrying out what a group decided: newcomers asked for, a merge put to the other group (and done once
it agrees), the schedule the calendar is to follow, the group ended, or the district office asked to follow
up when nobody answered."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.contracts import GroupScheduleDecided
from shared.messaging import Outbox

from .. import decision_rules as rules_
from ..decision_rules import Change, Kind, Result
from ..models import audit_log, groups
from ..reasons import coded
from .common import stage
from .merging import merge_groups
from .newcomers import start_newcomer_request

if TYPE_CHECKING:
    from .decisions import DecisionContext

ACTOR = "group-decision"  # who acts in the audit log when the members' decision is carried out


async def carry_out(
    session: AsyncSession, outbox: Outbox, decision: Any, outcome: rules_.Outcome, ctx: DecisionContext
) -> None:
    # Imported here: ending.py imports the commands package, which imports this module.
    from ..ending import end_group
    from .decisions import open_decision

    group_id, district, proposal = decision.group_id, decision.district, decision.proposal
    result = outcome.result
    if result is Result.no_answer:
        await _ask_office(session, decision)
    elif result is Result.end or (result is Result.yes and proposal.get("change") == Change.end.value):
        await end_group(session, outbox, group_id, district=district, actor=ACTOR)
    elif result is Result.newcomers:
        await _ask_for_newcomers(session, outbox, group_id, outcome.newcomers or 1, ctx)
    elif result is Result.merge:
        partner = (
            await session.execute(
                select(groups).where(groups.c.group_id == uuid.UUID(proposal["merge_with"]))
            )
        ).one_or_none()
        if partner is not None and partner.status == "started":
            await open_decision(
                session,
                outbox,
                partner,
                Kind.merge,
                ctx,
                proposal={"merge_with": str(group_id)},
                proposed_by=None,
                choices=rules_.YES_NO,
            )
    elif result is Result.yes and decision.kind == Kind.merge.value:
        await merge_groups(session, outbox, uuid.UUID(proposal["merge_with"]), group_id, actor=ACTOR)
    elif result is Result.yes and proposal.get("change") == Change.frequency.value:
        await stage(
            session,
            outbox,
            GroupScheduleDecided(
                group_id=group_id,
                district=district,
                interval_weeks=int(proposal["interval_weeks"]),
                from_date=ctx.today + timedelta(days=1),
            ),
        )
    elif result is Result.yes and proposal.get("change") == Change.pause.value:
        await stage(
            session,
            outbox,
            GroupScheduleDecided(
                group_id=group_id,
                district=district,
                pause_from=date.fromisoformat(proposal["from"]),
                pause_until=date.fromisoformat(proposal["until"]),
            ),
        )


async def _ask_for_newcomers(
    session: AsyncSession, outbox: Outbox, group_id: uuid.UUID, wanted: int, ctx: DecisionContext
) -> None:
    """The members decided to ask for newcomers: the planner's candidates go to their vote (newcomers.py)."""
    await start_newcomer_request(
        session,
        outbox,
        group_id,
        wanted=wanted,
        requested_by=None,
        as_of=ctx.today,
        rules=ctx.rules,
        now=ctx.now,
    )


async def _ask_office(session: AsyncSession, decision: Any) -> None:
    """Nobody answered: the district office follows up (the group is flagged on its staff pages)."""
    await session.execute(
        update(groups)
        .where(groups.c.group_id == decision.group_id)
        .values(flag="the members did not answer a decision", flag_code=coded("decision_unanswered"))
    )
    await record_audit(
        session,
        audit_log,
        actor=ACTOR,
        action="decision_follow_up",
        district=decision.district,
        subject_id=decision.group_id,
        detail=f"{decision.kind}: no answer by the deadline",
    )
