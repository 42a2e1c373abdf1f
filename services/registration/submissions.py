"""Registrations submitted by other systems over AMQP: taken as the API takes them, or answered with
registration.rejected.v1 when they cannot be.

The intake's consumer puts the broker-validated `user_id` of the message in the envelope's `source`
(shared/messaging/consumer.py). When that user is a partner system (settings.partners), its references
are its own (unique per partner) and it gets its answers, registration.received.v1 or
registration.rejected.v1, on its own reply queue; any other sender's references share the namespace of
their source, as before partners had their own, and only a rejection is published (for no queue of theirs).
"""

from __future__ import annotations

import uuid
from collections.abc import Container
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import (
    Envelope,
    FieldError,
    RegistrationDetails,
    RegistrationReceived,
    RegistrationRejected,
)
from shared.messaging import InvalidMessage, Outbox
from shared.messaging.topology import reply_routing_key

from . import commands, domain


async def take_submission(
    session: AsyncSession,
    outbox: Outbox,
    envelope: Envelope[Any],
    identity_key: bytes,
    partners: Container[str] = (),
) -> None:
    details = envelope.data  # RegistrationSubmitted is RegistrationDetails, validated with the envelope
    if not isinstance(details, RegistrationDetails):
        details = RegistrationDetails.model_validate(details.model_dump())
    partner = envelope.source if envelope.source in partners else None
    try:
        submitted = await commands.submit_registration(
            session,
            outbox,
            details,
            correlation_id=envelope.correlation_id,
            causation_id=envelope.event_id,
            identity_key=identity_key,
            sender=partner,
        )
    except domain.RegistrationRefused as refused:
        raise InvalidMessage(
            str(refused), errors=[{"field": p.field, "message": p.message} for p in refused.problems]
        ) from None
    if partner is not None:
        # Also for a resend of a reference taken before: the partner learns (again) which id it has.
        received = RegistrationReceived(
            registration_id=submitted.participant_id,
            external_ref=details.external_ref,
            submitted_event_id=envelope.event_id,
        )
        answer = received.envelope(
            source=commands.SOURCE, correlation_id=envelope.correlation_id, causation_id=envelope.event_id
        )
        answer = answer.model_copy(update={"event_id": uuid.uuid5(envelope.event_id, received.EVENT_TYPE)})
        await outbox.add(session, answer, routing_key=reply_routing_key(partner, received.EVENT_TYPE))


async def answer_rejected(
    session: AsyncSession,
    outbox: Outbox,
    raw: dict[str, Any] | None,
    invalid: InvalidMessage,
    partners: Container[str] = (),
) -> None:
    """Answer the sender with registration.rejected.v1 (staged in the outbox, idempotent per event): on its
    reply queue when it is a partner system (raw's `source` is the broker-validated sender)."""

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
    sender = raw.get("source")
    partner = sender if isinstance(sender, str) and sender in partners else None
    await outbox.add(
        session, envelope, routing_key=reply_routing_key(partner, rejected.EVENT_TYPE) if partner else None
    )


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
