"""A corrected contact reaches notifications: participant.contact_changed.v1 updates the stored contact
(name, address, number, language) without sending another receipt, and messages from then on go to the
new address."""

from __future__ import annotations

import asyncio

import pytest
from notifications_support import contact, delivery_rows
from sqlalchemy import select

from services.notifications import models
from shared.contracts import ParticipantContactChanged
from tests.support import eventually, running

pytestmark = pytest.mark.integration


async def stored(service, participant_id):
    async with service.sessions() as session:
        return (
            await session.execute(
                select(models.contacts).where(models.contacts.c.participant_id == participant_id)
            )
        ).one_or_none()


async def test_a_changed_contact_is_stored_and_sends_no_new_receipt(notifications, events, mail_sink):
    registered = contact(name="Kari Nordmann", email="kari@example.org")
    person = registered.participant_id
    async with running(notifications):
        await events.publish("registration", registered)
        await eventually(lambda: len(mail_sink.received) == 1, timeout=20)
        before = len(await delivery_rows(notifications))
        await events.publish(
            "registration",
            ParticipantContactChanged(
                participant_id=person,
                name="Kari N.",
                email="kari.ny@example.org",
                mobile="+4791234567",
                language="en",
            ),
        )

        async def updated():
            row = await stored(notifications, person)
            return row is not None and row.email == "kari.ny@example.org"

        await eventually(updated, timeout=20)
        row = await stored(notifications, person)
        assert (row.name, row.mobile, row.language) == ("Kari N.", "+4791234567", "en")
        await asyncio.sleep(1)  # a receipt, had one been queued, would have gone by now
        assert len(mail_sink.received) == 1
        assert len(await delivery_rows(notifications)) == before
