"""Erasure (GDPR art. 17): the person gets a last confirmation, then their contact, every delivery to or
about them, their memberships and absences are gone, and registration is told how much was deleted."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from notifications_support import contact, count

from services.notifications import models
from services.notifications.commands import absence
from services.notifications.domain import OSLO
from shared.contracts import GroupFormed, GroupStarted, MeetingScheduled, ParticipantErased
from tests.support import eventually, running

pytestmark = pytest.mark.integration


async def test_erasure_confirms_then_removes_contact_deliveries_memberships_and_absences(
    notifications, events, mail_sink
):
    kari, ola = uuid.uuid4(), uuid.uuid4()
    others = [uuid.uuid4(), uuid.uuid4()]
    group_id = uuid.uuid4()
    start = (datetime.now(OSLO) + timedelta(days=6)).replace(hour=18, minute=0, second=0, microsecond=0)
    async with running(notifications):
        await events.publish("registration", contact(kari, name="Kari Nordmann", email="kari@example.org"))
        await events.publish("registration", contact(ola, name="Ola Hansen", email="ola@example.org"))
        for other in others:
            await events.publish("registration", contact(other, email=f"{other}@example.org"))
        members = [kari, ola, *others]
        await events.publish(
            "grouping",
            GroupFormed(
                group_id=group_id,
                district="innlandet",
                slot="tue_evening",
                format="digital",
                members=members,
                municipalities=["3403"],
            ),
        )
        await events.publish(
            "calendar",
            MeetingScheduled(
                group_id=group_id,
                first_meeting=start,
                weekday="tue",
                start_time=start.time(),
                meeting_url="https://meet.example.no/abc",
            ),
        )
        await events.publish("grouping", GroupStarted(group_id=group_id, members=members))
        await eventually(lambda: _sent(notifications, "first_meeting", 4))
        # Kari reports absence: Ola's notice is about Kari and must go with her.
        async with notifications.sessions() as session, session.begin():
            outcome = await absence.report_absence(session, notifications.runtime, kari, start)
        assert outcome is absence.AbsenceOutcome.reported
        assert await count(notifications, models.deliveries, models.deliveries.c.subject_id == kari) == 3

        await events.publish("registration", ParticipantErased(participant_id=kari))
        await eventually(lambda: _erased(notifications, kari))
        confirmation = await eventually(lambda: _mail_to(mail_sink, "kari@example.org", "Opplysningene"))
        report = await eventually(lambda: _deletion_report(notifications, kari))

    assert "Hei Kari!" in confirmation.part("plain")
    d = models.deliveries
    assert await count(notifications, d, (d.c.recipient_id == kari) | (d.c.subject_id == kari)) == 0
    assert (
        await count(notifications, models.group_members, models.group_members.c.participant_id == kari) == 0
    )
    assert await count(notifications, models.absences, models.absences.c.participant_id == kari) == 0
    assert await count(notifications, d, d.c.recipient_id == ola) > 0  # Ola's own messages stay
    assert report["data"]["rows_deleted"] > 0 and report["data"]["service"] == "notifications"


async def _sent(service, message_type: str, expected: int) -> bool:
    d = models.deliveries
    return await count(service, d, d.c.message_type == message_type, d.c.state == "sent") >= expected


async def _erased(service, participant_id) -> bool:
    return await count(service, models.contacts, models.contacts.c.participant_id == participant_id) == 0


async def _mail_to(sink, address: str, subject_start: str):
    return next(
        (m for m in sink.received if m.recipients == [address] and m.subject.startswith(subject_start)), None
    )


async def _deletion_report(service, participant_id):
    from sqlalchemy import select

    o = models.outbox
    async with service.sessions() as session:
        payloads = (
            await session.execute(select(o.c.payload).where(o.c.event_type == "participant.data_deleted.v1"))
        ).scalars()
        return next((p for p in payloads if p["data"]["participant_id"] == str(participant_id)), None)
