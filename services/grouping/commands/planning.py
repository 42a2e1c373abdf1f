"""Planning a district: asking for a plan when the waiting pool changes (written at commit, in one order),
and forming groups from the pool under the district's advisory lock (one planner per district)."""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, event, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.contracts import GroupFormed
from shared.messaging import Outbox
from shared.observability import metrics

from .. import domain
from ..models import audit_log, groups, planning_requests, pool
from ..planning.policy import PolicySettings, decide_after_change
from ..reasons import stored_reason
from .common import Timing, invite, person_from_row, stage
from .lasting import recent_arrivals, top_up_proposed

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


async def plan_at_staff_request(session: AsyncSession, district: str, *, actor: str) -> None:
    """A staff member asks for their district to be planned now (audited); the caller wakes the planner
    after the commit."""
    await request_planning(session, district)
    await record_audit(session, audit_log, actor=actor, action="plan", district=district, subject_id=None)


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
    policy: PolicySettings | None = None,
) -> PlanOutcome | None:
    """Form groups from the district's waiting pool. None when another replica is planning it now.
    `settled`: who an earlier plan of the district left waiting, if known. `policy`: which groups form
    now and which are held back (None: every group the planner finds, the `asap` policy)."""
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
    if policy is not None and policy.policy == "lasting":
        return await _plan_lasting(
            session,
            outbox,
            district,
            people,
            rows,
            as_of=as_of,
            rules=rules,
            timing=timing,
            settled=settled,
            policy=policy,
        )
    # CPU-bound; off the event loop so the service keeps consuming and answering health checks.
    started = time.perf_counter()
    result, searched = await asyncio.to_thread(domain.plan_after_change, people, settled, as_of, rules)
    # "reasons": nobody new could form a group with those an earlier plan left waiting.
    metrics.planning_latency.labels("solve" if searched else "reasons").observe(time.perf_counter() - started)
    return await _form_and_explain(
        session, outbox, district, people, rows, result.groups, result.waiting, timing
    )


async def _plan_lasting(
    session: AsyncSession,
    outbox: Outbox,
    district: str,
    people: list[domain.Person],
    rows: list[Any],
    *,
    as_of: date,
    rules: domain.PlanningRules,
    timing: Timing,
    settled: frozenset[domain.Person] | None,
    policy: PolicySettings,
) -> PlanOutcome:
    """The `lasting` policy: top up proposed groups, then form or hold back (planning/policy.py)."""
    invited = await top_up_proposed(
        session, outbox, district, people, as_of=as_of, rules=rules, policy=policy, timing=timing
    )
    people = [p for p in people if p.participant_id not in invited]
    arrivals = await recent_arrivals(session, district, as_of, policy)
    started = time.perf_counter()
    decision = await asyncio.to_thread(decide_after_change, people, settled, as_of, rules, policy, arrivals)
    metrics.planning_latency.labels("reasons" if decision is None else "solve").observe(
        time.perf_counter() - started
    )
    if decision is None:  # nobody new could form a group: the reasons given before still hold
        return PlanOutcome(district, 0, len(people), frozenset(people))
    return await _form_and_explain(
        session, outbox, district, people, rows, decision.form, decision.waiting, timing
    )


async def _form_and_explain(
    session: AsyncSession,
    outbox: Outbox,
    district: str,
    people: list[domain.Person],
    rows: list[Any],
    formed: tuple[domain.ProposedGroup, ...],
    still: tuple[domain.Waiting, ...],
    timing: Timing,
) -> PlanOutcome:
    """Form the chosen groups and write the reasons of those left waiting (only those that changed)."""
    respond_by = datetime.now(UTC) + timedelta(days=timing.invitation_days)
    for proposed in formed:
        await form_group(
            session,
            outbox,
            district=district,
            slot=proposed.slot,
            meeting_format=proposed.format,
            members=[uuid.UUID(m) for m in proposed.members],
            topics=[str(t) for t in proposed.topics],
            municipalities=list(proposed.municipalities),
            respond_by=respond_by,
        )
    # Only reasons that changed are written: a district is planned again at every change of its pool, and
    # most of those waiting are told the same as before (rewriting them was most of a plan's database work).
    earlier = {str(row.participant_id): row.waiting_reasons for row in rows}
    changed = []
    for waiting in still:
        reasons = [stored_reason(r) for r in waiting.reasons]
        if reasons != earlier.get(waiting.participant_id):
            changed.append({"waiting_id": uuid.UUID(waiting.participant_id), "reasons": reasons})
    if changed:
        await session.execute(_SET_WAITING_REASONS, changed)  # one executemany
    metrics.groups_formed.labels(district).inc(len(formed))
    placed = {member for group in formed for member in group.members}
    still_waiting = frozenset(p for p in people if p.participant_id not in placed)
    return PlanOutcome(district, len(formed), len(still), still_waiting)


async def form_group(
    session: AsyncSession,
    outbox: Outbox,
    *,
    district: str,
    slot: str,
    meeting_format: Any,
    members: list[uuid.UUID],
    topics: list[str],
    municipalities: list[str],
    respond_by: datetime,
) -> uuid.UUID:
    """A new proposed group of the chosen members (by the planner, or by staff splitting a group): each is
    invited to answer by `respond_by`, and GroupFormed is staged. Its id."""
    group_id = uuid.uuid4()
    # The times every member can attend travel with the group, so calendar can offer staff another one
    # when the group cannot be scheduled at `slot`.
    availabilities = (
        await session.execute(select(pool.c.availability).where(pool.c.participant_id.in_(members)))
    ).scalars()
    common: set[str] | None = None
    for slots in availabilities:
        common = set(slots) if common is None else common & set(slots)
    await session.execute(
        insert(groups).values(
            group_id=group_id,
            district=district,
            slot=slot,
            format=str(meeting_format),
            status="proposed",
            topics=topics,
            municipalities=municipalities,
        )
    )
    await invite(session, group_id, members, respond_by)
    await stage(
        session,
        outbox,
        GroupFormed(
            respond_by=respond_by,
            group_id=group_id,
            district=district,
            slot=slot,
            format=meeting_format,
            members=members,
            municipalities=municipalities,
            shared_slots=sorted(common or ()),
        ),
    )
    return group_id


_SET_WAITING_REASONS = (
    update(pool)
    .where(pool.c.participant_id == bindparam("waiting_id"))
    .values(waiting_reasons=bindparam("reasons"))
)
