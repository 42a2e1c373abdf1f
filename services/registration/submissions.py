"""Registrations submitted by other systems over AMQP: taken as the API takes them, or answered with
registration.rejected.v1 when they cannot be."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Envelope, FieldError, RegistrationDetails, RegistrationRejected
from shared.messaging import InvalidMessage, Outbox

from . import commands, domain


async def take_submission(
    session: AsyncSession, outbox: Outbox, envelope: Envelope[Any], identity_key: bytes
) -> None:
    details = envelope.data  # RegistrationSubmitted is RegistrationDetails, validated with the envelope
    if not isinstance(details, RegistrationDetails):
        details = RegistrationDetails.model_validate(details.model_dump())
    try:
        await commands.submit_registration(
            session,
            outbox,
            details,
            correlation_id=envelope.correlation_id,
            causation_id=envelope.event_id,
            identity_key=identity_key,
        )
    except domain.RegistrationRefused as refused:
        raise InvalidMessage(
            str(refused), errors=[{"field": p.field, "message": p.message} for p in refused.problems]
        ) from None


async def answer_rejected(
    session: AsyncSession, outbox: Outbox, raw: dict[str, Any] | None, invalid: InvalidMessage
) -> None:
    """Answer the sender with registration.rejected.v1 (staged in the outbox, idempotent per event)."""
    raw = raw or {}
    data = raw.get("data") if isinstance(raw.get("data"), dict) else {}
    submitted_id = _uuid_or_none(raw.get("event_id"))
    rejected = RegistrationRejected(
        submitted_event_id=submitted_id,
        source=_storable(data.get("source"), 40),
        external_ref=_storable(data.get("external_ref"), 200),
        errors=[
            FieldError(field=_storable(e["field"], 200) or "body", message=_storable(e["message"], 500) or "")
            for e in invalid.errors
        ],
    )
    envelope = rejected.envelope(
        source=commands.SOURCE,
        correlation_id=_uuid_or_none(raw.get("correlation_id")),
        causation_id=submitted_id,
    )
    if submitted_id is not None:  # a redelivery must not answer twice
        envelope = envelope.model_copy(
            update={"event_id": uuid.uuid5(submitted_id, "registration.rejected.v1")}
        )
    await outbox.add(session, envelope)


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _storable(value: Any, limit: int) -> str | None:
    """Text from an arbitrary message made safe to store as jsonb: no NUL, no lone surrogate, bounded."""
    if value is None or value == "":
        return None
    text = str(value).replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return text[:limit] or None
