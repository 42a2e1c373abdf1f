"""A person's contact details: stored when registration sends them (with the receipt and whatever waited
for them), and forgotten when the person is erased (with one last confirmation)."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Envelope
from shared.erasure import finish_erasure
from shared.messaging.consumer import call_after_commit

from .. import messages
from ..channels import Channels
from ..domain import OSLO, channels_for, sms_allowed_at
from ..models import contacts
from ..sending import Recipient, send_immediately
from . import deliveries, people
from .runtime import SOURCE, Runtime

log = logging.getLogger("selvhjelp.notifications")

# Built once (a statement built per event costs more CPU to compile than the round trip it makes).
_CONTACT = insert(contacts).values(
    participant_id=bindparam("participant_id"),
    name=bindparam("name"),
    email=bindparam("email"),
    mobile=bindparam("mobile"),
    language=bindparam("language"),
)
_UPSERT_CONTACT = _CONTACT.on_conflict_do_update(
    index_elements=["participant_id"],
    set_={
        "name": _CONTACT.excluded.name,
        "email": _CONTACT.excluded.email,
        "mobile": _CONTACT.excluded.mobile,
        "language": _CONTACT.excluded.language,
        "updated_at": func.now(),
    },
).returning(*contacts.c)

_sending: set[asyncio.Task[Any]] = set()  # confirmations being sent after their commit (references)


async def register_contact(session: AsyncSession, rt: Runtime, envelope: Envelope[Any]) -> None:
    data = envelope.data
    # A contact event overtaken by the person's erasure (requeued, another replica) must not bring
    # their details back.
    await people.lock_people(session, [data.participant_id])
    if await people.erased_among(session, [data.participant_id]):
        log.info("contact details of an erased participant ignored")
        return
    values = {
        "name": data.name,
        "email": data.email,
        "mobile": data.mobile,
        "language": data.language.value,
    }
    contact = (
        await session.execute(_UPSERT_CONTACT, {"participant_id": data.participant_id, **values})
    ).one()
    now = rt.clock()
    message = messages.registration_received(data.participant_id, envelope.event_id, rt.links)
    await deliveries.queue_message(session, message, now=now, known={contact.participant_id: contact})
    # Events of the person's group come from other services and may have overtaken this one.
    await deliveries.deliver_waiting_messages(session, contact, now=now)


async def change_contact(session: AsyncSession, envelope: Envelope[Any]) -> None:
    """Corrected name, contact details or language: messages from now on use them. No receipt (the person
    registered already); an erased person's details are not brought back."""
    data = envelope.data
    await people.lock_people(session, [data.participant_id])
    if await people.erased_among(session, [data.participant_id]):
        log.info("changed contact details of an erased participant ignored")
        return
    await session.execute(
        _UPSERT_CONTACT,
        {
            "participant_id": data.participant_id,
            "name": data.name,
            "email": data.email,
            "mobile": data.mobile,
            "language": data.language.value,
        },
    )


async def erase_person(
    session: AsyncSession, rt: Runtime, channels: Channels, envelope: Envelope[Any]
) -> None:
    participant_id = envelope.data.participant_id
    # First wait for whoever is queueing a message for the person (people.lock_people).
    await people.lock_for_erasure(session, [participant_id])
    contact = (
        await session.execute(select(contacts).where(contacts.c.participant_id == participant_id))
    ).one_or_none()
    if contact is not None:
        await _confirm_erasure(rt, channels, contact, envelope)
    deleted = await people.forget_person(session, participant_id)
    await finish_erasure(session, rt.outbox, envelope, service=SOURCE, rows_deleted=deleted)


async def _confirm_erasure(rt: Runtime, channels: Channels, contact: Any, envelope: Envelope[Any]) -> None:
    """The last message to the person, stored nowhere: a queued delivery would outlive the erasure it
    confirms. Sent once the erasure has committed, never before: a transaction rolled back and tried
    again (a batch's fallback, a transient error, a crash) would otherwise send it twice. The price:
    a send that fails after the commit is logged and not retried (the contact is gone). Best effort
    either way: the person saw the confirmation page when asking."""
    message = messages.erasure_confirmed(
        contact.participant_id, envelope.event_id, rt.links, envelope.occurred_at
    )
    context = message.context(contact.participant_id)
    now = rt.clock()
    to = Recipient(contact.name, contact.email, contact.mobile, contact.language)
    chosen = []
    for channel in channels_for("erasure_confirmed", deliveries.preferences_of(contact)):
        if channel == "sms" and not sms_allowed_at(now.astimezone(OSLO)):
            log.info("erasure confirmation by SMS skipped: quiet hours")
            continue
        chosen.append(channel.value)
    if not chosen:
        return
    key = f"erasure-{envelope.event_id}"

    async def send() -> None:
        for channel in chosen:
            await send_immediately(channels, channel, to, "erasure_confirmed", context, key)

    def start() -> None:
        task = asyncio.get_running_loop().create_task(send(), name="erasure-confirmation")
        _sending.add(task)
        task.add_done_callback(_sending.discard)

    call_after_commit(start)
