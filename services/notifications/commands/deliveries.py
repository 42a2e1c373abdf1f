"""Queueing deliveries: one row per recipient and channel, and the messages kept for someone whose contact
details have not arrived yet."""

from __future__ import annotations

import json
import logging
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain import ESSENTIAL, ChannelPreference, Preferences, channels_for
from ..messages import Message
from ..models import contacts, deliveries
from .people import erased_among, lock_people

log = logging.getLogger("selvhjelp.notifications")


def preferences_of(contact: Any) -> Preferences:
    try:
        channel = ChannelPreference(contact.channel)
    except ValueError:
        channel = ChannelPreference.both
    return Preferences(
        channel=channel,
        no_optional_messages=contact.non_essential_opt_out == "true",
        has_email=bool(contact.email),
        has_mobile=bool(contact.mobile),
    )


def _json(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} in a message context")


NO_CONTACT = "no contact details on file"


async def queue_message(
    session: AsyncSession, message: Message, *, now: datetime, known: dict[uuid.UUID, Any] | None = None
) -> int:
    """One delivery row per recipient and chosen channel; the unique key makes a repeat a no-op.

    A person we cannot reach yet gets a `failed` row on channel `none` instead of silence, so staff see it.
    It keeps the message's context: the contact event comes from another service and may arrive after the
    group's events, and then `deliver_waiting_messages` queues the message after all."""
    recipients = list(dict.fromkeys(message.recipients))
    if not recipients:
        return 0
    about = [*recipients, *([message.subject_id] if message.subject_id else [])]
    await lock_people(session, about)  # before reading contacts: an erasure waits, or we see it
    # `known`: contact rows the caller has just written (the contact event itself): no need to read them.
    found = dict(known or {})
    unknown = [r for r in recipients if r not in found]
    if unknown:
        found.update(
            (row.participant_id, row)
            for row in (
                await session.execute(select(contacts).where(contacts.c.participant_id.in_(unknown)))
            ).all()
        )
    # Someone without contact details may be waiting for them, or erased: nothing is kept for the erased.
    erased = await erased_among(session, [p for p in about if p not in found])
    if message.subject_id in erased:
        return 0
    recipients = [r for r in recipients if r not in erased]
    common = {
        "source_event_id": message.source_event_id,
        "message_type": message.message_type,
        "group_id": message.group_id,
        "district": message.district,
        "subject_id": message.subject_id,
        "due_at": message.due_at or now,
        "created_at": now,
    }
    rows = []
    for recipient in recipients:
        contact = found.get(recipient)
        chosen = channels_for(message.message_type, preferences_of(contact)) if contact else ()
        if contact is not None and not chosen and message.message_type not in ESSENTIAL:
            continue  # the person opted out of this kind of message
        context = json.dumps(message.context(recipient), default=_json)
        language = contact.language if contact else "nb"
        # Every row carries the same keys: executemany binds all rows to one statement's columns.
        if not chosen:
            rows.append(_delivery_row(common, recipient, "none", language, context, "failed", NO_CONTACT))
        rows.extend(
            _delivery_row(common, recipient, channel.value, language, context, "queued", None)
            for channel in chosen
        )
    return await _insert_deliveries(session, rows, message.message_type, len(recipients))


def _delivery_row(
    common: dict[str, Any],
    recipient: uuid.UUID,
    channel: str,
    language: str,
    context: str,
    state: str,
    last_error: str | None,
) -> dict[str, Any]:
    return {
        **common,
        "recipient_id": recipient,
        "channel": channel,
        "language": language,
        "context": context,
        "state": state,
        "last_error": last_error,
    }


async def _insert_deliveries(
    session: AsyncSession, rows: list[dict[str, Any]], message_type: str, recipients: int
) -> int:
    if not rows:
        return 0
    inserted = (await session.execute(_INSERT_DELIVERIES, rows)).all()  # executemany: compiled once
    log.info(
        "deliveries queued",
        extra={"message_type": message_type, "deliveries": len(inserted), "recipients": recipients},
    )
    return len(inserted)


_INSERT_DELIVERIES = (
    insert(deliveries)
    .on_conflict_do_nothing(index_elements=["source_event_id", "recipient_id", "channel", "message_type"])
    .returning(deliveries.c.id)
)
# A message kept for someone whose contact details have not arrived (see queue_message).
WAITING_FOR_CONTACT = and_(
    deliveries.c.channel == "none", deliveries.c.state == "failed", deliveries.c.last_error == NO_CONTACT
)
_DELETE_WAITING = (
    delete(deliveries)
    .where(deliveries.c.recipient_id == bindparam("recipient"), WAITING_FOR_CONTACT)
    .returning(*deliveries.c)
)


async def deliver_messages_waiting_for_known_contacts(
    session: AsyncSession, *, now: datetime, limit: int = 100
) -> int:
    """The repair for a race: a contact event and a group event handled at the same moment (two queues or
    two replicas) can each miss the other's uncommitted row, leaving a message waiting for a contact that
    exists. The sender calls this after consumers' commits; it queues the messages of up to `limit` such
    people and says how many people that was."""
    # The limit applies to people with a contact: others may wait for theirs legitimately, and must not
    # fill every sweep.
    waiting = select(deliveries.c.recipient_id).where(WAITING_FOR_CONTACT)
    found = (
        await session.execute(
            select(contacts)
            .where(contacts.c.participant_id.in_(waiting))
            .order_by(contacts.c.participant_id)
            .limit(limit)
        )
    ).all()
    for contact in found:
        await deliver_waiting_messages(session, contact, now=now)
    return len(found)


async def deliver_waiting_messages(session: AsyncSession, contact: Any, *, now: datetime) -> int:
    """Queue the messages that found no contact details for this person, now that they have arrived.

    The waiting row (channel `none`) is replaced by one row per chosen channel; the sender still expires
    whatever has become too late (a reminder for a meeting that has begun)."""
    await lock_people(session, [contact.participant_id])  # an erasure since `contact` was read took them
    waiting = (await session.execute(_DELETE_WAITING, {"recipient": contact.participant_id})).all()
    rows = []
    for row in waiting:
        chosen = channels_for(row.message_type, preferences_of(contact))
        if not chosen:
            continue  # opted out of this optional kind of message
        common = {
            key: getattr(row, key)
            for key in ("source_event_id", "message_type", "group_id", "district", "subject_id", "created_at")
        }
        common["due_at"] = max(row.due_at, now)
        rows.extend(
            _delivery_row(common, row.recipient_id, c.value, contact.language, row.context, "queued", None)
            for c in chosen
        )
    return await _insert_deliveries(session, rows, "waiting for contact details", len(waiting))
