"""Reads shared by registration's staff API and its staff pages: one person's registration, seen only by
their district's staff, its contact and topic only with a reason, and every such read audited."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit, scope_of
from shared.web_auth import CONTACT_POINT_ROLE as CONTACT_POINT

from .models import audit_log, registrations


async def registration_in_district(session: AsyncSession, participant_id: uuid.UUID, district: str) -> Any:
    """The person's registration row; None when they are not registered in the district (another
    district's person looks exactly like nobody)."""
    return (
        await session.execute(
            select(registrations).where(
                registrations.c.participant_id == participant_id, registrations.c.district == district
            )
        )
    ).one_or_none()


async def record_contact_read(
    session: AsyncSession, participant_id: uuid.UUID, user: Any, reason: str
) -> None:
    """Audit that a staff member saw the person's contact and topic, and why (in the read's transaction)."""
    await record_audit(
        session,
        audit_log,
        actor=user.subject,
        action="read",
        subject_id=participant_id,
        district=user.district,
        fields="contact,topic",
        reason=reason,
    )


async def registrations_submitted_by(session: AsyncSession, user: Any, limit: int = 500) -> list[Any]:
    """The registrations a contact point submitted, in its municipalities (a municipality it no longer
    covers hides them): name, status and since when, never contact or topic. Newest first."""
    if not user.municipalities:
        return []
    return list(
        (
            await session.execute(
                select(
                    registrations.c.participant_id,
                    registrations.c.name,
                    registrations.c.status,
                    registrations.c.municipality,
                    registrations.c.district,
                    registrations.c.registered_at,
                )
                .where(
                    registrations.c.submitted_by == user.subject,
                    registrations.c.municipality.in_(sorted(user.municipalities)),
                )
                .order_by(registrations.c.registered_at.desc())
                .limit(limit)
            )
        ).all()
    )


async def record_submitted_reads(session: AsyncSession, rows: list[Any], user: Any, reason: str) -> None:
    """Audit a contact point's read of its registrations: one entry per person, in the person's district
    (so the district office sees it on its audit page), with the reader's role and municipalities."""
    scope = scope_of(user, CONTACT_POINT)
    for row in rows:
        await record_audit(
            session,
            audit_log,
            actor=user.subject,
            role=CONTACT_POINT,
            scope=scope,
            action="read",
            subject_id=row.participant_id,
            district=row.district,
            fields="name,status",
            reason=reason,
        )


def record_registered_by_contact_point(user: Any):
    """What registering a person on their behalf audits, in the registration's transaction: on the audit
    page of the person's district (a contact point's sign-in names no district), in the role it acted in."""

    async def audited(session: AsyncSession, participant_id: uuid.UUID) -> None:
        district = await session.scalar(
            select(registrations.c.district).where(registrations.c.participant_id == participant_id)
        )
        await record_audit(
            session,
            audit_log,
            actor=user.subject,
            action="register",
            subject_id=participant_id,
            district=district,
            fields="source=contact_point",
        )

    return audited
