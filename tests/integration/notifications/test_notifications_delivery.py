"""Exactly one message out, against real RabbitMQ, PostgreSQL and a real SMTP server: a redelivered event
sends nothing twice, an SMTP outage delays and then delivers, a bad address fails for good, and SMS waits
out the quiet hours."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

import pytest
from notifications_support import REFUSED, contact, delivery_rows
from sqlalchemy.dialects.postgresql import insert

from services.notifications import models
from services.notifications.app import create_service
from services.notifications.channels import Channels, DeliveryFailed, Email, HttpSmsGateway, SmtpMailer
from services.notifications.commands.deliveries import _json
from services.notifications.domain import OSLO
from services.notifications.rendering import sample_context
from shared.auth import issue_staff_token
from tests.support import eventually, running

pytestmark = pytest.mark.integration


async def test_a_redelivered_event_sends_one_email(notifications, events, mail_sink):
    registered = contact(name="Kari Nordmann")
    async with running(notifications):
        body = await events.publish("registration", registered)
        await events.publish("registration", body)  # the broker delivers it again, same event id

        await eventually(lambda: _received(mail_sink, 1))
        await asyncio.sleep(1.0)  # time enough for a second copy to show up, if there were one

    assert len(mail_sink.received) == 1
    mail = mail_sink.received[0]
    assert mail.recipients == ["kari@example.org"]
    assert mail.subject == "Vi har mottatt påmeldingen din"
    assert "Hei Kari!" in mail.part("plain")
    assert "/status/" in mail.part("plain")
    assert mail.part("html").startswith("<!DOCTYPE html>")
    [row] = await delivery_rows(notifications)
    assert (row.state, row.attempts, row.context) == ("sent", 1, "{}")


async def test_an_smtp_outage_delays_the_message_and_it_is_sent_once_the_server_is_back(
    notifications, events, mail_sink
):
    await mail_sink.stop()
    async with running(notifications):
        await events.publish("registration", contact())

        # An outage is not the message's failure: it is kept, its attempts untouched, until the server is back.
        held = await eventually(lambda: _held_by_outage(notifications, "smtp unavailable"), timeout=30)
        assert (held.state, held.attempts) == ("queued", 0)
        assert mail_sink.received == []

        await mail_sink.start()  # same port
        await eventually(lambda: _received(mail_sink, 1), timeout=30)
        await asyncio.sleep(0.5)

    assert len(mail_sink.received) == 1
    [row] = await delivery_rows(notifications)
    assert (row.state, row.attempts, row.last_error) == ("sent", 1, None)


async def test_a_refused_address_is_a_permanent_failure_staff_can_see_and_it_is_not_retried(
    notifications, events, mail_sink, client
):
    refused = f"{REFUSED}@example.org"
    async with running(notifications):
        await events.publish("registration", contact(email=refused))
        failed = await eventually(lambda: _in_state(notifications, "failed"))
        await asyncio.sleep(1.5)  # several retry periods: nothing more may happen

        [row] = await delivery_rows(notifications)
        assert (row.state, row.attempts) == ("failed", 1)
        assert "550" in failed.last_error and refused not in failed.last_error
        assert mail_sink.received == []

        token = issue_staff_token(notifications.settings.keyring(), "staff-1", "oslo-viken", ["staff"])
        response = await client.get("/api/v1/staff/deliveries", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        [entry] = response.json()
        assert entry["permanent_failure"] is True and entry["message_type"] == "registration_received"
        assert not {"context", "text", "html", "body"} & set(entry)
        assert (await client.get("/api/v1/staff/deliveries")).status_code == 401


async def test_sms_waits_for_the_end_of_the_quiet_hours_while_email_goes_at_once(
    notifications, events, mail_sink, sms_sink, clock
):
    clock.now = datetime(2026, 11, 24, 23, 30, tzinfo=OSLO)
    async with running(notifications):
        await events.publish("registration", contact(email="kari@example.org", mobile="+4791234567"))

        await eventually(lambda: _received(mail_sink, 1))
        held = await eventually(lambda: _deferred_sms(notifications))
        assert held.due_at == datetime(2026, 11, 25, 8, 0, tzinfo=OSLO)
        await asyncio.sleep(0.5)
        assert sms_sink.received == []

        clock.now = datetime(2026, 11, 25, 8, 0, 1, tzinfo=OSLO)
        await eventually(lambda: _received(sms_sink, 1))

    [sms] = sms_sink.received
    assert sms["to"] == "+4791234567"
    assert sms["text"].startswith("Hei!") and "Kari" not in sms["text"]  # no typed name in an SMS
    assert sms["reference"].startswith("selvhjelp-")


# --- checks ----------------------------------------------------------------------------------------
async def _received(sink, expected: int) -> bool:
    return len(sink.received) >= expected


async def _held_by_outage(service, error: str):
    rows = await delivery_rows(service)
    return next((r for r in rows if r.state == "queued" and error in (r.last_error or "")), None)


async def _in_state(service, state: str):
    rows = await delivery_rows(service)
    return next((r for r in rows if r.state == state), None)


async def _deferred_sms(service):
    rows = await delivery_rows(service)
    return next(
        (r for r in rows if r.channel == "sms" and r.due_at > datetime(2026, 11, 25, tzinfo=OSLO)), None
    )


async def test_the_sms_gateway_refusing_is_permanent_and_its_outage_is_retried(
    notifications, events, sms_sink, clock
):
    clock.now = datetime(2026, 11, 24, 12, 0, tzinfo=OSLO)  # daytime: no quiet hours in the way
    async with running(notifications):
        sms_sink.status = 400
        await events.publish("registration", contact(email=None, mobile="+4741234567"))
        refused = await eventually(lambda: _in_state(notifications, "failed"))
        assert refused.attempts == 1 and "400" in refused.last_error and "41234567" not in refused.last_error

        sms_sink.status = 503
        await events.publish("registration", contact(email=None, mobile="+4791234567"))
        held = await eventually(lambda: _held_by_outage(notifications, "503"))
        assert (held.state, held.attempts) == ("queued", 0)  # the gateway's outage, not the message's
        sms_sink.status = 200
        await eventually(lambda: _received(sms_sink, 1))

    assert [m["to"] for m in sms_sink.received] == ["+4791234567"]


async def test_two_replicas_share_the_work_and_send_each_message_once(
    notifications, notification_settings, clock, events, mail_sink
):
    second = create_service(notification_settings, clock=clock)
    people = [contact(email=f"person{i}@example.org") for i in range(12)]
    async with running(notifications), running(second):
        for person in people:
            await events.publish("registration", person)
        await eventually(lambda: _received(mail_sink, len(people)), timeout=30)
        await asyncio.sleep(1.0)

    assert sorted(m.recipients[0] for m in mail_sink.received) == sorted(p.email for p in people)


async def test_invitations_are_sent_before_receipts_that_were_queued_earlier(notification_settings, clock):
    # Under a burst of registrations thousands of receipts are due; a group's invitations must not wait.
    service = create_service(
        notification_settings.model_copy(
            update={"notification_batch_size": 1, "notification_poll_seconds": 3600}
        ),
        clock=clock,
    )
    now = clock()
    d = models.deliveries
    row = {"channel": "email", "language": "nb", "context": "{}", "created_at": now}
    # The sender's own loops are not started: they would race this pass for the receipt (it happened on a
    # loaded machine), and this test is about the order of one pass.
    try:
        async with service.sessions() as session, session.begin():
            await session.execute(
                insert(d).values(
                    [
                        {
                            **row,
                            "source_event_id": uuid.uuid4(),
                            "recipient_id": uuid.uuid4(),
                            "message_type": "registration_received",
                            "due_at": now - timedelta(minutes=5),
                        },
                        {
                            **row,
                            "source_event_id": uuid.uuid4(),
                            "recipient_id": uuid.uuid4(),
                            "message_type": "group_invitation",
                            "due_at": now,
                        },
                    ]
                )
            )
        assert await service.sender.send_due() == 1
        handled = {r.message_type: r.state for r in await delivery_rows(service)}
    finally:
        await service.engine.dispose()

    assert handled["registration_received"] == "queued"
    assert handled["group_invitation"] != "queued"


class HeldBack:
    """The real SMTP mailer, except that messages whose subject starts with `subject` wait until released:
    a slow mail server for those."""

    def __init__(self, mailer: SmtpMailer, subject: str) -> None:
        self.mailer = mailer
        self.subject = subject
        self.release = asyncio.Event()
        self.waiting = 0

    async def send(self, email: Email) -> None:
        if email.subject.startswith(self.subject):
            self.waiting += 1
            await self.release.wait()
        await self.mailer.send(email)


RECEIPT_SUBJECT, INVITATION_SUBJECT = "Vi har mottatt", "Du er invitert"


def _sender_with(settings, clock, subject: str) -> tuple[Any, HeldBack]:
    channels = Channels.from_settings(settings)
    held = HeldBack(channels.mail, subject)
    service = create_service(
        settings.model_copy(update={"notification_batch_size": 10}),
        clock=clock,
        channels=Channels(held, channels.sms),
    )
    return service, held


def _deliveries(people, message_type: str, now) -> list[dict[str, Any]]:
    context = json.dumps(sample_context(message_type), default=_json)
    return [
        {
            "channel": "email",
            "language": "nb",
            "created_at": now,
            "due_at": now,
            "recipient_id": p.participant_id,
            "message_type": message_type,
            "context": context,
            "source_event_id": uuid.uuid4(),
        }
        for p in people
    ]


async def _store(service, people, deliveries) -> None:
    async with service.sessions() as session, session.begin():
        if people:
            await session.execute(
                insert(models.contacts),
                [
                    {"participant_id": p.participant_id, "name": p.name, "email": p.email, "language": "nb"}
                    for p in people
                ],
            )
        await session.execute(insert(models.deliveries), deliveries)


async def test_an_invitation_goes_out_while_a_batch_of_receipts_is_still_being_sent(
    notification_settings, mail_sink, clock
):
    service, held = _sender_with(notification_settings, clock, RECEIPT_SUBJECT)
    people = [contact(name=f"Person {k}", email=f"person{k}@example.org") for k in range(7)]
    await _store(service, people, _deliveries(people[:6], "registration_received", clock()))
    async with running(service):
        # A batch of six receipts is being sent, five at a time (the sender's concurrency).
        await eventually(lambda: held.waiting == 5)
        await _store(service, [], _deliveries(people[6:], "group_invitation", clock()))
        service.sender.wake()

        await eventually(lambda: _received(mail_sink, 1))
        assert [m.recipients for m in mail_sink.received] == [["person6@example.org"]]
        assert held.waiting == 5  # the invitation waited neither for the batch nor for a slot
        held.release.set()
        await eventually(lambda: _received(mail_sink, 7))

    states = {r.message_type: r.state for r in await delivery_rows(service)}
    assert states == {"registration_received": "sent", "group_invitation": "sent"}


async def test_receipts_wait_while_an_invitation_is_being_sent(notification_settings, mail_sink, clock):
    service, held = _sender_with(notification_settings, clock, INVITATION_SUBJECT)
    people = [contact(name=f"Person {k}", email=f"person{k}@example.org") for k in range(4)]
    await _store(service, people, _deliveries(people[:1], "group_invitation", clock()))
    async with running(service):
        await eventually(lambda: held.waiting == 1)  # the invitation is in hand
        await _store(service, [], _deliveries(people[1:], "registration_received", clock()))
        service.sender.wake()
        await asyncio.sleep(0.5)  # time enough for the receipts to go, were they not stepping aside
        assert mail_sink.received == []
        held.release.set()
        await eventually(lambda: _received(mail_sink, 4))

    assert mail_sink.received[0].recipients == ["person0@example.org"]


async def test_a_crash_before_recording_sends_again_at_most_one_chunk_and_loses_nothing(
    notification_settings, mail_sink, clock, monkeypatch
):
    # Mails go out before the transaction that claimed them records them as sent. If that record is lost
    # (a crash, a dropped database connection, a stop cancelled after its grace period), the next pass
    # sends them again: at most one chunk of them, each with the Message-ID of its first copy.
    from services.notifications import sender as sender_module

    settings = notification_settings.model_copy(
        update={"notification_batch_size": 50, "notification_commit_every": 10}
    )
    service = create_service(settings, clock=clock)
    people = [contact(name=f"Person {k}", email=f"person{k}@example.org") for k in range(25)]
    await _store(service, people, _deliveries(people, "registration_received", clock()))
    record = sender_module._record

    async def lost_after_fifteen_sent(session, rows, outcomes):
        if len(mail_sink.received) >= 15:
            monkeypatch.setattr(sender_module, "_record", record)  # fails once
            raise ConnectionResetError("the database connection dropped")
        await record(session, rows, outcomes)

    monkeypatch.setattr(sender_module, "_record", lost_after_fifteen_sent)
    try:
        with pytest.raises(ConnectionResetError):
            await service.sender.send_due()
        restarted = create_service(settings, clock=clock)  # the worker comes back
        try:
            while await restarted.sender.send_due():
                pass
        finally:
            await restarted.engine.dispose()
        rows = await delivery_rows(service)
    finally:
        await service.engine.dispose()

    copies: dict[str, list[str]] = {}
    for mail in mail_sink.received:
        copies.setdefault(mail.recipients[0], []).append(mail.message["Message-ID"])
    assert sorted(copies) == sorted(p.email for p in people)  # nothing lost
    duplicates = sum(len(ids) - 1 for ids in copies.values())
    assert 0 < duplicates <= 10  # one chunk, not the whole batch of 25
    assert all(len(set(ids)) == 1 for ids in copies.values())  # a repeat carries the same Message-ID
    assert {r.state for r in rows} == {"sent"} and {r.attempts for r in rows} == {1}


async def test_a_mail_server_down_for_longer_than_all_attempts_delivers_once_it_is_back(
    notification_settings, mail_sink, clock
):
    # Twelve attempts' worth of back-off is about 23 minutes; an outage (or a wrong password) lasting
    # longer used to fail every message for good. Now the message waits, up to the cap, until it works.
    settings = notification_settings.model_copy(
        update={"notification_retry_base_seconds": 2.0, "notification_retry_cap_seconds": 900.0}
    )
    service = create_service(settings, clock=clock)
    person = contact(name="Kari Nordmann", email="kari@example.org")
    await _store(service, [person], _deliveries([person], "registration_received", clock()))
    await mail_sink.stop()
    started = clock()
    try:
        for _ in range(3 * settings.notification_max_attempts):
            [row] = await delivery_rows(service)
            assert (row.state, row.attempts) == ("queued", 0)
            assert row.due_at - clock() <= timedelta(seconds=900)  # the wait is capped
            clock.now = row.due_at
            assert await service.sender.send_due() == 1
        [row] = await delivery_rows(service)
        assert clock() - started > timedelta(hours=1) and "smtp unavailable" in row.last_error

        await mail_sink.start()  # same port
        clock.now = row.due_at
        assert await service.sender.send_due() == 1
        [row] = await delivery_rows(service)
    finally:
        await service.engine.dispose()

    assert (row.state, row.attempts, row.last_error) == ("sent", 1, None)
    assert [m.recipients for m in mail_sink.received] == [["kari@example.org"]]


@pytest.mark.parametrize(
    ("status", "permanent", "outage"),
    [
        (400, True, False),  # this message refused (bad number, rejected text)
        (401, False, True),  # our token refused: kept until the settings are fixed
        (404, False, True),  # a wrong gateway URL, likewise
        (429, False, True),
        (503, False, True),
    ],
)
async def test_what_the_sms_gateway_answers_decides_whether_it_is_an_outage(
    notification_settings, sms_sink, status, permanent, outage
):
    sms_sink.status = status
    with pytest.raises(DeliveryFailed) as failed:
        await HttpSmsGateway(notification_settings).send("+4791234567", "Hei", "selvhjelp-1")

    assert (failed.value.permanent, failed.value.outage) == (permanent, outage)
