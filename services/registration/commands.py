"""Commands of the registration service: each runs inside the caller's transaction and stages its events
in the outbox, so the state change and the events commit together or not at all."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.contracts import (
    Language,
    ParticipantContactRegistered,
    ParticipantErased,
    ParticipantWithdrew,
    RegistrationDetails,
)
from shared.messaging import Outbox
from shared.revocation import revoke_links

from . import domain, history, waiting_options
from .intake_statement import INSERT_REGISTRATION
from .models import audit_log, erasure_reports, idempotency_keys, registrations

SOURCE = "registration"


@dataclass(frozen=True)
class Submitted:
    participant_id: uuid.UUID
    created: bool


async def submit_registration(
    session: AsyncSession,
    outbox: Outbox,
    details: RegistrationDetails,
    *,
    today: date | None = None,
    correlation_id: uuid.UUID | None = None,
    causation_id: uuid.UUID | None = None,
    participant_id: uuid.UUID | None = None,
    identity_key: bytes | None = None,
    submitted_by: str | None = None,
    sender: str | None = None,
) -> Submitted:
    """Store a registration and stage registration.accepted.v1 + participant.contact_registered.v1.

    `sender`: whose namespace external_ref is in, a partner system's name (default: the source). A second
    submission with the same sender and external_ref returns the first registration and stages nothing.
    Raises domain.RegistrationRefused when a rule is broken. `submitted_by` names the contact point that
    registered the person on their behalf.
    """
    now = datetime.now(UTC)
    district = domain.check(details, today or now.date())
    sender = sender or details.source.value
    participant_id = participant_id or domain.participant_id_for(
        sender, details.external_ref, identity_key or b""
    )
    row = registration_row(participant_id, details, district, now, sender=sender)
    row["submitted_by"] = submitted_by or None
    # With its history's "received" entry (at `now`, the registration's source), as history.record writes it.
    inserted = (await session.execute(INSERT_REGISTRATION, row)).scalar_one_or_none()
    if inserted is None:
        existing = await find_duplicate(session, participant_id, details, sender)
        if existing is not None:
            return Submitted(existing, created=False)
        raise RuntimeError("registration conflicted but no duplicate was found")  # pragma: no cover
    correlation_id = correlation_id or uuid.uuid4()
    for event in (
        domain.accepted_event(participant_id, details, district, now),
        domain.contact_event(participant_id, details),
    ):
        await outbox.add(
            session, event.envelope(source=SOURCE, correlation_id=correlation_id, causation_id=causation_id)
        )
    return Submitted(participant_id, created=True)


def registration_row(
    participant_id: uuid.UUID,
    details: RegistrationDetails,
    district: str,
    now: datetime,
    *,
    sender: str | None = None,
) -> dict[str, Any]:
    return {
        "participant_id": participant_id,
        "status": "waiting",
        "name": details.participant.name,
        "email": details.participant.email,
        "mobile": details.participant.mobile,
        "birth_date": details.birth_date,
        "gender": details.gender.value,
        "municipality": details.municipality,
        "district": district,
        "topic": details.topic.value,
        "topic_text": details.topic_text,
        "composition": details.composition.value,
        "format": details.format.value,
        "availability": list(details.availability),
        "single_gender": details.single_gender,
        "language": details.language.value,
        "source": details.source.value,
        "external_ref": details.external_ref,
        "sender": sender or details.source.value,
        "consent_version": details.consent.version,
        "consent_given_at": details.consent.given_at,
        "registered_at": now,
        "updated_at": now,
    }


async def find_duplicate(
    session: AsyncSession, participant_id: uuid.UUID, details: RegistrationDetails, sender: str | None = None
) -> uuid.UUID | None:
    query = select(registrations.c.participant_id).where(registrations.c.participant_id == participant_id)
    if details.external_ref:
        query = select(registrations.c.participant_id).where(
            registrations.c.sender == (sender or details.source.value),
            registrations.c.external_ref == details.external_ref,
        )
    return (await session.execute(query)).scalar_one_or_none()


async def notify_existing(session: AsyncSession, outbox: Outbox, participant_id: uuid.UUID) -> bool:
    """Tell the person already registered under these details that a new registration came in.

    Restages participant.contact_registered.v1 with the contact *stored* for them (never the one just
    submitted), so notifications sends them the receipt again, with their own status link, at their own
    address. Whoever submitted the duplicate learns nothing. False when the person is gone meanwhile.
    """
    row = (
        await session.execute(
            select(
                registrations.c.name,
                registrations.c.email,
                registrations.c.mobile,
                registrations.c.language,
            ).where(registrations.c.participant_id == participant_id)
        )
    ).one_or_none()
    if row is None:
        return False
    event = ParticipantContactRegistered(
        participant_id=participant_id,
        name=row.name,
        email=row.email,
        mobile=row.mobile,
        language=Language(row.language),
    )
    await outbox.add(session, event.envelope(source=SOURCE))
    return True


async def bind_idempotency_key(session: AsyncSession, key: str, participant_id: uuid.UUID) -> None:
    """Point a claimed key at the id that was answered, so a replay answers the same."""
    await session.execute(
        update(idempotency_keys).where(idempotency_keys.c.key == key).values(participant_id=participant_id)
    )


async def claim_idempotency_key(
    session: AsyncSession, key: str, request_hash: str, participant_id: uuid.UUID
) -> tuple[uuid.UUID, str] | None:
    """Record the key, or return the (participant_id, hash) it was first used with."""
    inserted = (
        await session.execute(
            insert(idempotency_keys)
            .values(key=key, request_hash=request_hash, participant_id=participant_id)
            .on_conflict_do_nothing()
            .returning(idempotency_keys.c.key)
        )
    ).scalar_one_or_none()
    if inserted is not None:
        return None
    row = (
        await session.execute(
            select(idempotency_keys.c.participant_id, idempotency_keys.c.request_hash).where(
                idempotency_keys.c.key == key
            )
        )
    ).one()
    return row.participant_id, row.request_hash


async def withdraw(session: AsyncSession, outbox: Outbox, participant_id: uuid.UUID, *, actor: str) -> bool:
    changed = (
        await session.execute(
            update(registrations)
            .where(registrations.c.participant_id == participant_id, registrations.c.status != "withdrawn")
            .values(status="withdrawn", updated_at=func.now())
            .returning(registrations.c.district)
        )
    ).one_or_none()
    if changed is None:
        return False
    await history.record(session, participant_id, "withdrew", actor=actor)
    # With the person's district, so it shows on that district's audit page (staff read by district).
    await record_audit(
        session,
        audit_log,
        actor=actor,
        action="withdraw",
        subject_id=participant_id,
        district=changed.district,
    )
    await outbox.add(session, ParticipantWithdrew(participant_id=participant_id).envelope(source=SOURCE))
    return True


async def mark_placed(
    session: AsyncSession, participant_ids: list[uuid.UUID], group_id: uuid.UUID | None = None
) -> int:
    """These people got a place in a group that started (or were admitted): the registration led to a group.

    The group becomes theirs and its end is not yet known; `placed_at` keeps the first placement.
    """
    placed = await session.execute(
        update(registrations)
        .where(registrations.c.participant_id.in_(participant_ids))
        .values(
            placed_at=func.coalesce(registrations.c.placed_at, func.now()),
            updated_at=func.now(),
            group_id=group_id,
            left_group_at=None,
            # A withdrawal stays a withdrawal; only the waiting move on.
            status=case((registrations.c.status == "waiting", "placed"), else_=registrations.c.status),
        )
    )
    await history.record_for_registered(
        session, participant_ids, "placed", group_id=group_id and str(group_id)
    )
    return placed.rowcount or 0


async def mark_left_group(
    session: AsyncSession,
    group_id: uuid.UUID,
    at: datetime,
    members: list[uuid.UUID] | None = None,
    *,
    participant_id: uuid.UUID | None = None,
) -> int:
    """The group ended or dissolved (its members), or one person left it: the retention clock starts.

    Only for those whose group it still is: a late message about an old group changes nothing for
    someone placed in a new one since. The placed whose group is not known (placed before registration
    recorded it) are matched by the member list or the person the message names.
    """
    named = [participant_id] if participant_id is not None else list(members or [])
    unknown_group = and_(
        registrations.c.group_id.is_(None),
        registrations.c.placed_at.is_not(None),
        registrations.c.participant_id.in_(named),
    )
    theirs = or_(registrations.c.group_id == group_id, unknown_group)
    which = [theirs, registrations.c.left_group_at.is_(None)]
    if participant_id is not None:
        which.append(registrations.c.participant_id == participant_id)
    # The placed are placed no more: the status page says why, and they may register again.
    over = "left" if participant_id is not None else "ended"
    status = case((registrations.c.status == "placed", over), else_=registrations.c.status)
    left = await session.execute(
        update(registrations).where(*which).values(left_group_at=at, status=status, updated_at=func.now())
    )
    kind = "left" if participant_id is not None else "group_closed"
    await history.record_for_registered(session, named, kind, at=at, group_id=str(group_id))
    return left.rowcount or 0


async def record_erasure_report(session: AsyncSession, data: Any) -> None:
    """A service's answer to an erasure, kept for the erasure report."""
    await session.execute(
        insert(erasure_reports)
        .values(participant_id=data.participant_id, service=data.service, rows_deleted=data.rows_deleted)
        .on_conflict_do_nothing()
    )


async def erase_expired(
    session: AsyncSession, outbox: Outbox, *, older_than: datetime, limit: int = 200
) -> list[uuid.UUID]:
    """Retention: erase registrations that never led to a group and were made before `older_than`."""
    return await _erase_where(
        session,
        outbox,
        registrations.c.placed_at.is_(None),
        registrations.c.registered_at < older_than,
        order_by=registrations.c.registered_at,
        limit=limit,
    )


async def erase_left_group(
    session: AsyncSession, outbox: Outbox, *, left_before: datetime, limit: int = 200
) -> list[uuid.UUID]:
    """Retention: erase the placed whose group ended (or who left it) before `left_before`."""
    return await _erase_where(
        session,
        outbox,
        registrations.c.placed_at.is_not(None),
        registrations.c.left_group_at < left_before,
        order_by=registrations.c.left_group_at,
        limit=limit,
    )


async def _erase_where(
    session: AsyncSession, outbox: Outbox, *conditions: Any, order_by: Any, limit: int
) -> list[uuid.UUID]:
    # SKIP LOCKED: a person erasing themselves at this moment is left to their own erasure.
    expired = list(
        (
            await session.execute(
                select(registrations.c.participant_id)
                .where(*conditions)
                .order_by(order_by)
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        ).scalars()
    )
    for participant_id in expired:
        await erase(session, outbox, participant_id, actor="retention")
    return expired


async def erase(session: AsyncSession, outbox: Outbox, participant_id: uuid.UUID, *, actor: str) -> int:
    """Delete the person's personal data here and tell every other service (identifier only)."""
    removed = (
        await session.execute(
            delete(registrations)
            .where(registrations.c.participant_id == participant_id)
            .returning(registrations.c.district)
        )
    ).all()
    deleted = len(removed)
    # The district outlives the registration in the audit entry only: it puts the erasure on that
    # district's audit page and lets that district's staff, and no other, read the erasure report.
    district = removed[0].district if removed else None
    deleted += await history.forget(session, participant_id)
    deleted += (
        await session.execute(
            delete(idempotency_keys).where(idempotency_keys.c.participant_id == participant_id)
        )
    ).rowcount
    # Staged events that still carry the person's data must not leave after the erasure.
    deleted += await outbox.forget(session, participant_id)
    await record_audit(
        session, audit_log, actor=actor, action="erase", subject_id=participant_id, district=district
    )
    erased = ParticipantErased(participant_id=participant_id).envelope(source=SOURCE)
    # Status links sent before the erasure stay dead, even if the same reference registers again.
    await revoke_links(session, outbox.table.metadata, participant_id, erased.occurred_at)
    await outbox.add(session, erased)
    return deleted


async def group_formed(session: AsyncSession, envelope: Any) -> None:
    """Proposed for a group: in the person's history, and the options for waiting people no longer shown."""
    await history.group_formed(session, envelope)
    await waiting_options.group_formed(session, envelope)
