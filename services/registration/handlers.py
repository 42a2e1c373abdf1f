"""Thin AMQP handlers of the registration service."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Envelope, FieldError, RegistrationDetails, RegistrationRejected
from shared.messaging import InvalidMessage, Outbox

from . import commands, domain
from .models import erasure_reports


def make_handlers(outbox: Outbox, identity_key: bytes):
    async def on_registration_submitted(session: AsyncSession, envelope: Envelope[Any]) -> None:
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

    async def on_rejected(session: AsyncSession, raw: dict[str, Any] | None, invalid: InvalidMessage) -> None:
        """Answer the sender with registration.rejected.v1 (staged in the outbox, idempotent per event)."""
        raw = raw or {}
        data = raw.get("data") if isinstance(raw.get("data"), dict) else {}
        submitted_id = _uuid_or_none(raw.get("event_id"))
        rejected = RegistrationRejected(
            submitted_event_id=submitted_id,
            source=_storable(data.get("source"), 40),
            external_ref=_storable(data.get("external_ref"), 200),
            errors=[
                FieldError(
                    field=_storable(e["field"], 200) or "body", message=_storable(e["message"], 500) or ""
                )
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

    async def on_group_started(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.mark_placed(session, list(envelope.data.members), envelope.data.group_id)

    async def on_group_member_joined(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.mark_placed(session, [envelope.data.participant_id], envelope.data.group_id)

    # When the group is over for a person: the moment it happened (not when we heard) starts retention.
    async def on_group_member_left(session: AsyncSession, envelope: Envelope[Any]) -> None:
        data = envelope.data
        if data.before_start:  # declined or not answered: never placed in that group
            return
        await commands.mark_left_group(
            session, data.group_id, envelope.occurred_at, participant_id=data.participant_id
        )

    async def on_group_closed(session: AsyncSession, envelope: Envelope[Any]) -> None:
        data = envelope.data
        await commands.mark_left_group(session, data.group_id, envelope.occurred_at, list(data.members))

    async def on_participant_data_deleted(session: AsyncSession, envelope: Envelope[Any]) -> None:
        data = envelope.data
        await session.execute(
            insert(erasure_reports)
            .values(participant_id=data.participant_id, service=data.service, rows_deleted=data.rows_deleted)
            .on_conflict_do_nothing()
        )

    return (
        {"registration.submitted.v1": on_registration_submitted},
        on_rejected,
        {"participant.data_deleted.v1": on_participant_data_deleted},
        {
            "group.started.v1": on_group_started,
            "group.member_joined.v1": on_group_member_joined,
            "group.member_left.v1": on_group_member_left,
            "group.ended.v1": on_group_closed,
            "group.dissolved.v1": on_group_closed,
        },
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
