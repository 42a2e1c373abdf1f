"""Commands of the grouping service. Each runs inside the caller's transaction and stages its events in the
outbox; the database's unique index on active memberships backs up "a person is in at most one group"."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, event, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.contracts import (
    GroupAdmissionDecided,
    GroupAdmissionRequested,
    GroupBelowMinimum,
    GroupDissolved,
    GroupFormed,
    GroupMemberJoined,
    GroupMemberLeft,
    GroupStarted,
    InvitationAnswered,
)
from shared.contracts.envelope import Event
from shared.messaging import Outbox
from shared.observability import metrics

from . import domain, lifecycle
from .models import (
    admission_requests,
    admission_votes,
    audit_log,
    groups,
    invitations,
    memberships,
    planning_requests,
    pool,
)
from .planning.rules import member_violations

SOURCE = "grouping"
ACTIVE = ("invited", "accepted")


class GroupingError(Exception):
    """A request that cannot be done in the group's current state (shown to the person as is)."""


@dataclass(frozen=True)
class Timing:
    invitation_days: int = 7
    admission_vote_days: int = 7


async def stage(session: AsyncSession, outbox: Outbox, event: Event, cause: Any = None) -> None:
    await outbox.add(
        session,
        event.envelope(
            source=SOURCE,
            correlation_id=getattr(cause, "correlation_id", None),
            causation_id=getattr(cause, "event_id", None),
        ),
    )


def person_from_row(row: Any) -> domain.Person:
    return domain.Person(
        participant_id=str(row.participant_id),
        birth_date=row.birth_date,
        gender=row.gender,
        municipality=row.municipality,
        district=row.district,
        topic=row.topic,
        composition=row.composition,
        format=row.format,
        availability=tuple(row.availability),
        single_gender=row.single_gender,
        registered_at=row.registered_at,
    )


# Keep the earliest request: debouncing counts from the first change.
_REQUEST_PLANNING = insert(planning_requests).on_conflict_do_nothing().returning(planning_requests.c.district)


@dataclass
class PlanningRequests:
    """What one transaction asked to plan, and (after its commit hook ran) which requests were new."""

    transaction: Any
    districts: set[str] = field(default_factory=set)
    new: list[str] = field(default_factory=list)


async def request_planning(session: AsyncSession, district: str) -> PlanningRequests | None:
    """Ask for the district to be planned when this transaction commits. The transaction's requests the
    first time it asks for the district (a consumer's batch of registrations from one district asks
    once), else None; after the commit, their `new` says which requests had not been waiting already.

    The requests are written just before the commit, sorted, in one statement: an insert waits for
    another transaction's uncommitted insert of the same district, so two transactions asking for two
    districts in opposite orders (two replicas' batches, or a batch and `Planner.request_all`) would each
    wait for the other until PostgreSQL broke the deadlock off. In one order, one just waits its turn."""
    # `session` is a connection (shared.db); its `info` outlives the transaction, so it is keyed by it.
    connection = session.sync_connection
    transaction = connection.get_transaction()
    pending = session.info.get("planning_requested")
    if pending is None or pending.transaction is not transaction:
        pending = session.info["planning_requested"] = PlanningRequests(transaction)
        if not event.contains(connection.engine, "commit", _write_planning_requests):
            event.listen(connection.engine, "commit", _write_planning_requests)
    if district in pending.districts:
        return None
    pending.districts.add(district)
    return pending


def _write_planning_requests(connection: Connection) -> None:
    """The engine's commit hook (runs before the COMMIT, in the transaction): write the requests."""
    pending = connection.info.pop("planning_requested", None)
    if pending is not None and pending.transaction is connection.get_transaction() and pending.districts:
        # One multi-row INSERT (insertmanyvalues), its rows in this order; RETURNING names the new ones.
        rows = connection.execute(_REQUEST_PLANNING, [{"district": d} for d in sorted(pending.districts)])
        pending.new = [district for (district,) in rows.all()]


async def lock_district(session: AsyncSession, district: str) -> bool:
    """One planner per district across replicas, for the length of this transaction."""
    return bool(
        await session.scalar(
            text("SELECT pg_try_advisory_xact_lock(hashtext(:key))"), {"key": f"grouping:{district}"}
        )
    )


@dataclass(frozen=True)
class PlanOutcome:
    district: str
    groups_formed: int
    waiting: int
    # Who is left waiting, as planned: the next plan of the district needs to search only if someone
    # else could form a group (domain.plan_after_change).
    still_waiting: frozenset[domain.Person] = frozenset()


async def plan_district(
    session: AsyncSession,
    outbox: Outbox,
    district: str,
    *,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
    settled: frozenset[domain.Person] | None = None,
) -> PlanOutcome | None:
    """Form groups from the district's waiting pool. None when another replica is planning it now.
    `settled`: who an earlier plan of the district left waiting, if known."""
    if not await lock_district(session, district):
        return None
    # SKIP LOCKED: a person another transaction is changing now is left out of this plan (they keep their
    # earlier reasons). Waiting for them deadlocked with a batch changing two waiting people, one locked
    # here already; and their change asks for the next plan anyway.
    waiting = (pool.c.district == district) & (pool.c.status == "waiting")
    rows = (await session.execute(select(pool).where(waiting).with_for_update(skip_locked=True))).all()
    if await session.scalar(select(func.count()).select_from(pool).where(waiting)) > len(rows):
        # Someone was left out (or has just joined). Not every lock comes with a request of its own (a
        # backfill holds the waiting it considers): ask again so they are planned shortly, not hourly.
        await request_planning(session, district)
    people = [person_from_row(r) for r in rows]
    # CPU-bound; off the event loop so the service keeps consuming and answering health checks.
    started = time.perf_counter()
    result, searched = await asyncio.to_thread(domain.plan_after_change, people, settled, as_of, rules)
    # "reasons": nobody new could form a group with those an earlier plan left waiting.
    metrics.planning_latency.labels("solve" if searched else "reasons").observe(time.perf_counter() - started)
    now = datetime.now(UTC)
    for proposed in result.groups:
        group_id = uuid.uuid4()
        members = [uuid.UUID(m) for m in proposed.members]
        await session.execute(
            insert(groups).values(
                group_id=group_id,
                district=district,
                slot=proposed.slot,
                format=str(proposed.format),
                status="proposed",
                topics=[str(t) for t in proposed.topics],
                municipalities=list(proposed.municipalities),
            )
        )
        respond_by = now + timedelta(days=timing.invitation_days)
        await _invite(session, group_id, members, respond_by)
        await stage(
            session,
            outbox,
            GroupFormed(
                respond_by=respond_by,
                group_id=group_id,
                district=district,
                slot=proposed.slot,
                format=proposed.format,
                members=members,
                municipalities=list(proposed.municipalities),
            ),
        )
    # Only reasons that changed are written: a district is planned again at every change of its pool, and
    # most of those waiting are told the same as before (rewriting them was most of a plan's database work).
    earlier = {str(row.participant_id): row.waiting_reasons for row in rows}
    changed = []
    for waiting in result.waiting:
        reasons = [{"code": r.code, "text": r.text} for r in waiting.reasons]
        if reasons != earlier.get(waiting.participant_id):
            changed.append({"waiting_id": uuid.UUID(waiting.participant_id), "reasons": reasons})
    if changed:
        await session.execute(_SET_WAITING_REASONS, changed)  # one executemany
    metrics.groups_formed.labels(district).inc(len(result.groups))
    placed = {member for group in result.groups for member in group.members}
    still_waiting = frozenset(p for p in people if p.participant_id not in placed)
    return PlanOutcome(district, len(result.groups), len(result.waiting), still_waiting)


_SET_WAITING_REASONS = (
    update(pool)
    .where(pool.c.participant_id == bindparam("waiting_id"))
    .values(waiting_reasons=bindparam("reasons"))
)


async def _invite(session: AsyncSession, group_id: uuid.UUID, members: list[uuid.UUID], expires_at) -> None:
    await session.execute(
        insert(memberships),
        [{"group_id": group_id, "participant_id": p, "status": "invited"} for p in members],
    )
    await session.execute(
        insert(invitations).on_conflict_do_update(
            index_elements=["group_id", "participant_id"], set_={"expires_at": expires_at}
        ),
        [{"group_id": group_id, "participant_id": p, "expires_at": expires_at} for p in members],
    )
    await session.execute(
        update(pool).where(pool.c.participant_id.in_(members)).values(status="invited", waiting_reasons=None)
    )


async def active_membership(session: AsyncSession, participant_id: uuid.UUID) -> Any:
    return (
        await session.execute(
            select(memberships.c.group_id, memberships.c.status, groups.c.status.label("group_status"))
            .join(groups, groups.c.group_id == memberships.c.group_id)
            .where(memberships.c.participant_id == participant_id, memberships.c.status.in_(ACTIVE))
            .with_for_update(of=memberships)
        )
    ).one_or_none()


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
        await _return_to_pool(session, [participant_id])
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
    return "accepted" if accept else "declined"


async def _return_to_pool(session: AsyncSession, participant_ids: list[uuid.UUID]) -> None:
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


async def _answers(session: AsyncSession, group_id: uuid.UUID) -> dict[str, list[uuid.UUID]]:
    rows = (
        await session.execute(
            select(memberships.c.participant_id, memberships.c.status).where(
                memberships.c.group_id == group_id
            )
        )
    ).all()
    by_status: dict[str, list[uuid.UUID]] = {}
    for row in rows:
        by_status.setdefault(row.status, []).append(row.participant_id)
    return by_status


async def evaluate_group(
    session: AsyncSession,
    outbox: Outbox,
    group_id: uuid.UUID,
    *,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
) -> lifecycle.StartDecision | None:
    """After an answer, expiry or withdrawal before the start: start, wait, refill from the pool, or dissolve."""
    group = (
        await session.execute(select(groups).where(groups.c.group_id == group_id).with_for_update())
    ).one()
    if group.status != "proposed":
        return None
    by_status = await _answers(session, group_id)
    accepted, pending = by_status.get("accepted", []), by_status.get("invited", [])
    answers = lifecycle.Answers(len(accepted), len(pending), len(by_status.get("declined", [])))
    candidates: list[domain.Person] = []
    if answers.accepted + answers.pending < rules.min_size:
        candidates = await _backfill(session, group, accepted + pending, as_of, rules)
    decision = lifecycle.decide_start(answers, rules, backfill_possible=bool(candidates))
    if decision is lifecycle.StartDecision.backfill:
        newcomers = [uuid.UUID(p.participant_id) for p in candidates]
        await _invite(
            session, group_id, newcomers, datetime.now(UTC) + timedelta(days=timing.invitation_days)
        )
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


async def _backfill(
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
        await _return_to_pool(session, list(active))
    await stage(session, outbox, GroupDissolved(group_id=group_id, reason=reason, members=list(active)))


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
        await _return_to_pool(session, [row.participant_id])
        await stage(
            session,
            outbox,
            GroupMemberLeft(group_id=row.group_id, participant_id=row.participant_id, before_start=True),
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
    remaining = len((await _answers(session, group_id)).get("accepted", []))
    if remaining < rules.min_size:
        group = (await session.execute(select(groups).where(groups.c.group_id == group_id))).one()
        await session.execute(
            update(groups)
            .where(groups.c.group_id == group_id)
            .values(flag=f"{remaining} members (below minimum)")
        )
        await stage(
            session,
            outbox,
            GroupBelowMinimum(group_id=group_id, district=group.district, members=remaining),
            cause,
        )
    return True


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
    members = (await _answers(session, group_id)).get("accepted", [])
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
    members = len((await _answers(session, request.group_id)).get("accepted", []))
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
    members = (await _answers(session, group_id)).get("accepted", [])
    candidates = await _backfill(session, group, members, as_of, rules)
    if not candidates:
        return None
    newcomer = uuid.UUID(candidates[0].participant_id)
    await _invite(session, group_id, [newcomer], datetime.now(UTC) + timedelta(days=timing.invitation_days))
    await stage(session, outbox, GroupMemberJoined(group_id=group_id, participant_id=newcomer))
    return newcomer


async def forget_person(session: AsyncSession, participant_id: uuid.UUID) -> int:
    deleted = 0
    for table in (pool, memberships, invitations, admission_votes):
        deleted += (
            await session.execute(delete(table).where(table.c.participant_id == participant_id))
        ).rowcount
    return deleted


# --- staff console: approve, move a person in, split (each audited) ------------------------------------
async def _proposed_group(session: AsyncSession, group_id: uuid.UUID, district: str) -> Any:
    group = (
        await session.execute(
            select(groups)
            .where(groups.c.group_id == group_id, groups.c.district == district)
            .with_for_update()
        )
    ).one_or_none()
    if group is None:
        raise GroupingError("no such group in your district")
    if group.status != "proposed":
        raise GroupingError("only a proposed group (not yet started) can be changed here")
    return group


async def _active_people(session: AsyncSession, group_id: uuid.UUID) -> list[domain.Person]:
    rows = await session.execute(
        select(pool)
        .join(memberships, memberships.c.participant_id == pool.c.participant_id)
        .where(memberships.c.group_id == group_id, memberships.c.status.in_(ACTIVE))
    )
    return [person_from_row(r) for r in rows.all()]


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
    row = (
        await session.execute(
            select(pool)
            .where(pool.c.participant_id == participant_id, pool.c.district == district)
            .with_for_update()
        )
    ).one_or_none()
    if row is None or row.status != "waiting":
        raise GroupingError("the person is not waiting in your district")
    members = await _active_people(session, group_id)
    if len(members) >= rules.max_size:
        raise GroupingError(f"the group is full ({rules.max_size} people)")
    if not lifecycle.fits_so_far([*members, person_from_row(row)], group.slot, group.format, rules, as_of):
        raise GroupingError(
            "the group would break the rules (time, distance, age span, topic or gender wishes)"
        )
    await _invite(
        session, group_id, [participant_id], datetime.now(UTC) + timedelta(days=timing.invitation_days)
    )
    await stage(session, outbox, GroupMemberJoined(group_id=group_id, participant_id=participant_id))
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
    members = await _active_people(session, group_id)
    parts = split_members(members, group.slot, group.format, rules, as_of)
    if parts is None:
        raise GroupingError(
            f"the group cannot be split into two groups of at least {rules.min_size} that keep the rules"
        )
    moved = [uuid.UUID(p.participant_id) for p in parts[1]]
    new_id = uuid.uuid4()
    await session.execute(
        insert(groups).values(
            group_id=new_id,
            district=district,
            slot=group.slot,
            format=group.format,
            status="proposed",
            topics=sorted({str(p.topic) for p in parts[1]}),
            municipalities=sorted({p.municipality for p in parts[1]}),
        )
    )
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
    respond_by = datetime.now(UTC) + timedelta(days=timing.invitation_days)
    await _invite(session, new_id, moved, respond_by)
    await stage(
        session,
        outbox,
        GroupFormed(
            respond_by=respond_by,
            group_id=new_id,
            district=district,
            slot=group.slot,
            format=group.format,
            members=moved,
            municipalities=sorted({p.municipality for p in parts[1]}),
        ),
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
