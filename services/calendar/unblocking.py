"""What staff do to unblock a group the scheduler could not place: register a venue or a starter, change a
starter's availability, choose another slot all members share, or schedule it without a starter where the
district allows that. Each runs in the caller's transaction, is scoped to the staff member's district and
audited with who and why; each that changes what the scheduler can choose from sends the district's failed
groups back to it (`requeue_failed`; the caller wakes the jobs after the commit).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.messaging import Outbox

from . import registry_changes
from .config import CalendarConfig
from .models import audit_log, district_settings, groups, starters
from .scheduling import Outcome, schedule_claimed


class UnblockRefused(Exception):
    """Why an unblocking step was not taken, as a code the page words in the reader's language."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


async def _audit(session: AsyncSession, actor: str, action: str, district: str, subject, detail: str) -> None:
    await record_audit(
        session,
        audit_log,
        actor=actor,
        action=action,
        district=district,
        subject_id=subject,
        detail=detail[:500],
    )


async def requeue_failed(session: AsyncSession, district: str) -> int:
    """Every group of the district whose scheduling failed is tried again: a new venue, starter or
    availability may help any of them, and trying is cheap. How many."""
    return (
        await session.execute(
            update(groups)
            .where(groups.c.district == district, groups.c.status == "failed")
            .values(status="to_schedule", schedule_after=func.now(), updated_at=func.now())
        )
    ).rowcount or 0


async def blocked_group(
    session: AsyncSession, group_id: uuid.UUID, district: str, *, lock: bool = False
) -> Any:
    query = select(groups).where(groups.c.group_id == group_id, groups.c.district == district)
    row = (await session.execute(query.with_for_update() if lock else query)).one_or_none()
    if row is None:
        raise UnblockRefused("no_group")
    return row


async def without_starter_allowed(session: AsyncSession, district: str) -> bool:
    allowed = await session.scalar(
        select(district_settings.c.schedule_without_starter).where(district_settings.c.district == district)
    )
    return bool(allowed)  # no row: not allowed (the default)


async def allow_without_starter(
    session: AsyncSession, district: str, allowed: bool, *, actor: str, reason: str
) -> None:
    await session.execute(
        insert(district_settings)
        .values(district=district, schedule_without_starter=allowed, changed_by=actor)
        .on_conflict_do_update(
            index_elements=["district"],
            set_={"schedule_without_starter": allowed, "changed_by": actor, "changed_at": func.now()},
        )
    )
    await _audit(
        session, actor, "allow_without_starter" if allowed else "require_starter", district, None, reason
    )
    if allowed:
        await requeue_failed(session, district)


async def add_starter(
    session: AsyncSession,
    district: str,
    first_name: str,
    email: str,
    availability: dict,
    *,
    actor: str,
    reason: str,
) -> Any:
    created = await registry_changes.register_starter(session, district, first_name, email, availability)
    if created is None:
        raise UnblockRefused("starter_exists")
    await _audit(session, actor, "register_starter", district, created.id, reason)
    await requeue_failed(session, district)
    return created


async def change_starter_availability(
    session: AsyncSession,
    starter_id: uuid.UUID,
    district: str,
    availability: dict,
    *,
    actor: str,
    reason: str,
) -> None:
    changed = (
        await session.execute(
            update(starters)
            .where(starters.c.id == starter_id, starters.c.district == district)
            .values(availability=availability, updated_at=func.now())
            .returning(starters.c.id)
        )
    ).scalar_one_or_none()
    if changed is None:
        raise UnblockRefused("no_starter_found")
    await _audit(session, actor, "change_starter_availability", district, starter_id, reason)
    await requeue_failed(session, district)


async def add_venue(
    session: AsyncSession, district: str, values: dict[str, Any], *, actor: str, reason: str
) -> Any:
    created = await registry_changes.register_venue(session, district, values)
    if created is None:
        raise UnblockRefused("venue_exists")
    await _audit(session, actor, "register_venue", district, created.id, reason)
    await requeue_failed(session, district)
    return created


async def choose_slot(
    session: AsyncSession, group_id: uuid.UUID, district: str, slot: str, *, actor: str, reason: str
) -> None:
    """Schedule the group at another weekly slot every member can attend."""
    group = await blocked_group(session, group_id, district, lock=True)
    if group.status != "failed":
        raise UnblockRefused("not_failed")
    if slot == group.slot or slot not in (group.shared_slots or []):
        raise UnblockRefused("slot_not_shared")
    await session.execute(
        update(groups)
        .where(groups.c.group_id == group_id)
        .values(slot=slot, status="to_schedule", schedule_after=func.now(), updated_at=func.now())
    )
    await _audit(session, actor, "choose_slot", district, group_id, f"{group.slot} -> {slot}: {reason}")


async def schedule_without_starter(
    session: AsyncSession,
    outbox: Outbox,
    config: CalendarConfig,
    group_id: uuid.UUID,
    district: str,
    now: datetime,
    *,
    actor: str,
    reason: str,
) -> Outcome:
    """Schedule a group that failed for want of a starter now, without one, if the district allows it.
    The outcome: when a venue is what is missing, it fails again (and says so)."""
    if not await without_starter_allowed(session, district):
        raise UnblockRefused("starter_required")
    group = await blocked_group(session, group_id, district, lock=True)
    if group.status not in ("failed", "to_schedule"):
        raise UnblockRefused("not_failed")
    lenient = replace(config, rules=replace(config.rules, require_starter=False))
    outcome = await schedule_claimed(session, outbox, lenient, group, now)
    await _audit(
        session,
        actor,
        "schedule_without_starter",
        district,
        group_id,
        f"{'scheduled' if outcome.scheduled else 'still blocked'}: {reason}",
    )
    return outcome
