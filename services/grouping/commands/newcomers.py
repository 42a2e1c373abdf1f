"""Newcomers by the group's decision: a request for a number of newcomers with the planner's candidates,
and inviting the accepted one by one (the members' vote and its decision: newcomer_votes.py).

The rules are pure in services/grouping/newcomer_rules.py. A newcomer invited here answers on the same
invitation page as a new group's members (confidentiality included); `newcomer_answered` then lets them
join (group.member_joined.v1: the calendar and reminders follow, the group is told) or invites the next
accepted candidate."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import utc_now
from shared.contracts import GroupAdmissionRequested, GroupMemberJoined, GroupNewcomerInvited
from shared.messaging import Outbox

from .. import domain, newcomer_rules
from ..models import admission_candidates, admission_requests, groups, memberships, pool
from .common import GroupingError, Timing, invite, members_by_status, person_from_row, stage


class NewcomerError(GroupingError):
    """Why a member's step was refused, as a code the page shows in the member's language."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


async def _people(session: AsyncSession, ids: list[uuid.UUID]) -> list[domain.Person]:
    rows = (await session.execute(select(pool).where(pool.c.participant_id.in_(ids)))).all()
    return [person_from_row(r) for r in rows]


async def members_of(session: AsyncSession, group_id: uuid.UUID) -> list[uuid.UUID]:
    return (await members_by_status(session, group_id)).get("accepted", [])


async def open_request(session: AsyncSession, group_id: uuid.UUID, *, lock: bool = False) -> Any:
    statement = select(admission_requests).where(
        admission_requests.c.group_id == group_id, admission_requests.c.status.in_(("voting", "inviting"))
    )
    if lock:
        statement = statement.with_for_update()
    return (await session.execute(statement)).first()


async def start_newcomer_request(
    session: AsyncSession,
    outbox: Outbox,
    group_id: uuid.UUID,
    *,
    wanted: int,
    requested_by: uuid.UUID | None,
    as_of: date,
    rules: domain.PlanningRules | None = None,
    timing: Timing | None = None,
    now: datetime | None = None,
) -> uuid.UUID:
    """Ask for `wanted` newcomers (`requested_by` a member, or None: the group's decision). The planner's
    candidates go to the vote at once; an open request is returned as it is (one at a time per group)."""
    rules, timing, now = rules or domain.PlanningRules(), timing or Timing(), now or utc_now()
    group = (
        await session.execute(select(groups).where(groups.c.group_id == group_id).with_for_update())
    ).one_or_none()
    if group is None or group.status != "started":
        raise NewcomerError("not_running", "only a running group can ask for newcomers")
    member_ids = await members_of(session, group_id)
    if requested_by is not None and requested_by not in member_ids:
        raise NewcomerError("not_member", "only members of the group can ask for newcomers")
    existing = await open_request(session, group_id)
    if existing is not None:
        return existing.request_id
    places = newcomer_rules.places_left(len(member_ids), rules)
    if not 1 <= wanted <= places:
        raise NewcomerError("wanted_out_of_range", f"the group can ask for 1 to {places} newcomers")
    members = await _people(session, member_ids)
    asked_before = select(memberships.c.participant_id).where(memberships.c.group_id == group_id)
    waiting = [
        person_from_row(r)
        for r in (
            await session.execute(
                select(pool).where(
                    pool.c.district == group.district,
                    pool.c.status == "waiting",
                    pool.c.participant_id.not_in(asked_before),
                )
            )
        ).all()
    ]
    proposed = newcomer_rules.propose_candidates(
        members,
        group.slot,
        group.format,
        waiting,
        rules,
        as_of,
        wanted=wanted,
        extra=timing.newcomer_extra_candidates,
    )
    request_id = uuid.uuid4()
    vote_by = now + timedelta(days=timing.admission_vote_days)
    await session.execute(
        insert(admission_requests).values(
            request_id=request_id,
            group_id=group_id,
            status="voting" if proposed else "no_candidates",
            vote_by=vote_by,
            wanted=wanted,
            requested_by=requested_by,
            decided_at=None if proposed else now,
        )
    )
    if not proposed:  # nobody waiting fits the group now: the page says so, and the group may ask later
        return request_id
    await session.execute(
        insert(admission_candidates),
        [
            {"request_id": request_id, "participant_id": uuid.UUID(p.participant_id), "position": i}
            for i, p in enumerate(proposed, start=1)
        ],
    )
    await stage(
        session,
        outbox,
        GroupAdmissionRequested(
            group_id=group_id,
            request_id=request_id,
            members=member_ids,
            vote_by=vote_by,
            wanted=wanted,
            candidates=len(proposed),
        ),
    )
    return request_id


async def invite_accepted(
    session: AsyncSession,
    outbox: Outbox,
    request_id: uuid.UUID,
    *,
    now: datetime,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
) -> str:
    """Invite accepted candidates until the places asked for are taken or answered for; the request is
    filled (or unfilled) once nobody is left to invite or to hear from."""
    request = (
        await session.execute(
            select(admission_requests).where(admission_requests.c.request_id == request_id).with_for_update()
        )
    ).one()
    group = (await session.execute(select(groups).where(groups.c.group_id == request.group_id))).one()
    rows = (
        await session.execute(
            select(admission_candidates.c.participant_id, admission_candidates.c.status)
            .where(admission_candidates.c.request_id == request_id)
            .order_by(admission_candidates.c.position)
        )
    ).all()
    taken = sum(1 for r in rows if r.status in ("invited", "joined"))
    waiting_ids = [r.participant_id for r in rows if r.status == "accepted"]
    still_waiting = (
        await session.execute(
            select(pool).where(pool.c.participant_id.in_(waiting_ids), pool.c.status == "waiting")
        )
    ).all()
    gone = set(waiting_ids) - {r.participant_id for r in still_waiting}
    if gone:  # placed in another group (or withdrawn) while the group voted
        await session.execute(
            update(admission_candidates)
            .where(
                admission_candidates.c.request_id == request_id,
                admission_candidates.c.participant_id.in_(gone),
            )
            .values(status="unavailable")
        )
    by_status = await members_by_status(session, group.group_id)
    members = await _people(session, by_status.get("accepted", []) + by_status.get("invited", []))
    places = min(request.wanted - taken, newcomer_rules.places_left(len(members), rules))
    chosen = newcomer_rules.choose_newcomers(
        members,
        group.slot,
        group.format,
        [person_from_row(r) for r in still_waiting],
        rules,
        as_of,
        places=max(0, places),
    )
    expires_at = now + timedelta(days=timing.invitation_days)
    for person in chosen:
        participant_id = uuid.UUID(person.participant_id)
        await invite(session, group.group_id, [participant_id], expires_at)
        await session.execute(
            update(admission_candidates)
            .where(
                admission_candidates.c.request_id == request_id,
                admission_candidates.c.participant_id == participant_id,
            )
            .values(status="invited")
        )
        await stage(
            session,
            outbox,
            GroupNewcomerInvited(
                group_id=group.group_id, participant_id=participant_id, respond_by=expires_at
            ),
        )
    joined = sum(1 for r in rows if r.status == "joined")
    outstanding = taken - joined + len(chosen)
    if joined >= request.wanted:
        status = "filled"
    elif outstanding == 0:
        status = "unfilled"  # every accepted candidate answered no, let it lapse or was placed elsewhere
    else:
        status = "inviting"
    if status != request.status:
        await session.execute(
            update(admission_requests)
            .where(admission_requests.c.request_id == request_id)
            .values(status=status)
        )
    return status


async def newcomer_answered(
    session: AsyncSession,
    outbox: Outbox,
    group_id: uuid.UUID,
    participant_id: uuid.UUID,
    *,
    accepted: bool,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
    now: datetime | None = None,
) -> bool:
    """After an invited candidate accepted (and confirmed the confidentiality agreement), declined or let
    the invitation lapse. False when the person was not a newcomer invited by a vote."""
    now = now or utc_now()
    request_id = await session.scalar(
        select(admission_candidates.c.request_id)
        .join(admission_requests, admission_requests.c.request_id == admission_candidates.c.request_id)
        .where(
            admission_requests.c.group_id == group_id,
            admission_candidates.c.participant_id == participant_id,
            admission_candidates.c.status == "invited",
        )
    )
    if request_id is None:
        return False
    await session.execute(
        update(admission_candidates)
        .where(
            admission_candidates.c.request_id == request_id,
            admission_candidates.c.participant_id == participant_id,
        )
        .values(status="joined" if accepted else "declined")
    )
    if accepted:
        # From here the newcomer is in the group: the calendar adds them from the next meeting (and so
        # the reminders), notifications sends them the first meeting and tells the group.
        await stage(session, outbox, GroupMemberJoined(group_id=group_id, participant_id=participant_id))
        if len(await members_of(session, group_id)) >= rules.min_size:
            await session.execute(
                update(groups)
                .where(groups.c.group_id == group_id, groups.c.flag_code["code"].astext == "below_minimum")
                .values(flag=None, flag_code=None)
            )
    await invite_accepted(session, outbox, request_id, now=now, as_of=as_of, rules=rules, timing=timing)
    return True
