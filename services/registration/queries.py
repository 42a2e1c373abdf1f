"""Reads shared by registration's staff API and its staff pages: one person's registration, seen only by
their district's staff, its contact and topic only with a reason, and every such read audited."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit

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
