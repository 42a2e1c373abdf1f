"""Erasure racing a group's event (two queues, two transactions that do not see each other's rows): after
both commit, nothing about the erased person is left, whichever went first. Interleaved by hand: each
side runs its handler in its own open transaction and the test decides who commits when, so the schedule
is the same on every run."""

from __future__ import annotations

import asyncio
import contextvars
import time
import uuid

import pytest
from notifications_support import GroupOfFour, contact, count
from sqlalchemy import insert, or_, text

from services.notifications import models
from services.notifications.app import create_service
from services.notifications.commands import groups
from shared.contracts import ParticipantErased
from shared.messaging.batching import BatchItem, TransactionBatcher
from tests.support import eventually

pytestmark = pytest.mark.integration

_WAITERS = text(
    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
    "WHERE NOT l.granted AND a.datname = current_database()"
)


async def _blocked_or_done(service, task: asyncio.Task, timeout: float = 10.0) -> bool:
    """Wait until `task` finishes or waits for a lock; say whether it is waiting."""
    deadline = time.monotonic() + timeout
    while not task.done():
        async with service.engine.connect() as connection:
            if await connection.scalar(_WAITERS):
                return True
        assert time.monotonic() < deadline, "neither finished nor waiting for a lock"
        await asyncio.sleep(0.02)
    return False


async def _prepare(service, group: GroupOfFour, *, with_contact: set[uuid.UUID]) -> None:
    """The contacts on file and the group's schedule, committed before the race."""
    rows = [
        {"participant_id": p, "name": n, "email": group.email(n), "language": "nb"}
        for n, p in group.members.items()
        if p in with_contact
    ]
    async with service.sessions() as session, session.begin():
        if rows:
            await session.execute(insert(models.contacts), rows)
        await groups.meeting_scheduled(session, service.runtime, group.scheduled())


async def _erase(service, session, person: uuid.UUID) -> None:
    handler = service.consumers["notifications.people"].handlers["participant.erased.v1"]
    await handler(session, ParticipantErased(participant_id=person).envelope(source="registration"))


async def _group_formed(service, session, group: GroupOfFour) -> None:
    envelope = group.formed().envelope(source="grouping")
    await groups.group_formed(session, service.runtime, envelope.data, envelope.event_id)


async def _left_about(service, person: uuid.UUID) -> dict[str, int]:
    d, m = models.deliveries, models.group_members
    return {
        "deliveries": await count(service, d, or_(d.c.recipient_id == person, d.c.subject_id == person)),
        "memberships": await count(service, m, m.c.participant_id == person),
        "contacts": await count(service, models.contacts, models.contacts.c.participant_id == person),
    }


NOTHING = {"deliveries": 0, "memberships": 0, "contacts": 0}


async def test_an_erasure_while_a_group_event_queues_the_persons_invitation_deletes_it_too(notifications):
    group = GroupOfFour()
    kari = group.members["Ada Berg"]
    await _prepare(notifications, group, with_contact=set(group.members.values()))

    async with notifications.sessions() as queueing:
        await queueing.begin()
        # The group's handler has read Kari's contact and queued her invitation, not yet committed.
        await _group_formed(notifications, queueing, group)
        erasing = asyncio.create_task(_erase_and_commit(notifications, kari))
        # The erasure waits for the handler (with the fix) or commits beside it (without).
        await _blocked_or_done(notifications, erasing)
        await queueing.commit()
    await erasing

    assert await _left_about(notifications, kari) == NOTHING
    d = models.deliveries
    assert await count(notifications, d, d.c.message_type == "group_invitation") == 3  # the others'


async def test_a_group_event_handled_while_a_person_without_contact_is_erased_queues_nothing_for_them(
    notifications,
):
    group = GroupOfFour()
    kari = group.members["Ada Berg"]  # her contact details never reached us
    others = {p for p in group.members.values() if p != kari}
    await _prepare(notifications, group, with_contact=others)

    async with notifications.sessions() as erasing:
        await erasing.begin()
        await _erase(notifications, erasing, kari)  # deleted, not yet committed
        queueing = asyncio.create_task(_group_formed_and_commit(notifications, group))
        # The group's handler waits for the erasure (with the fix) or writes beside it (without).
        await _blocked_or_done(notifications, queueing)
        await erasing.commit()
    await queueing

    assert await _left_about(notifications, kari) == NOTHING
    d = models.deliveries
    assert await count(notifications, d, d.c.message_type == "group_invitation") == 3


async def test_a_group_event_arriving_after_an_erasure_stores_nothing_about_the_person(notifications):
    group = GroupOfFour()
    kari = group.members["Ada Berg"]
    others = {p for p in group.members.values() if p != kari}
    await _prepare(notifications, group, with_contact=others)
    await _erase_and_commit(notifications, kari)

    await _group_formed_and_commit(notifications, group)

    assert await _left_about(notifications, kari) == NOTHING  # no invitation waiting for her contact


async def test_a_contact_event_overtaken_by_the_erasure_does_not_bring_the_details_back(notifications):
    kari = uuid.uuid4()
    await _erase_and_commit(notifications, kari)
    handler = notifications.consumers["notifications.people"].handlers["participant.contact_registered.v1"]
    async with notifications.sessions() as session, session.begin():
        await handler(session, contact(kari).envelope(source="registration"))

    assert await _left_about(notifications, kari) == NOTHING


async def _erase_and_commit(service, person: uuid.UUID) -> None:
    async with service.sessions() as session, session.begin():
        await _erase(service, session, person)


async def _group_formed_and_commit(service, group: GroupOfFour) -> None:
    async with service.sessions() as session, session.begin():
        await _group_formed(service, session, group)


async def test_an_erasure_in_a_batch_that_fails_once_sends_one_confirmation(notifications, mail_sink):
    """The batch holding the erasure fails for another message's sake and is applied again message by
    message (shared/messaging/batching.py): the confirmation goes out once, after the commit."""
    kari, ola = uuid.uuid4(), uuid.uuid4()
    async with notifications.sessions() as session, session.begin():
        await session.execute(
            insert(models.contacts),
            [
                {
                    "participant_id": kari,
                    "name": "Kari Nordmann",
                    "email": "kari@example.org",
                    "language": "nb",
                }
            ],
        )
    consumer = notifications.consumers["notifications.people"]
    registered = consumer.handlers["participant.contact_registered.v1"]
    failures = [RuntimeError("a bug that goes away")]

    async def fails_once(session, envelope):
        if failures:
            raise failures.pop()
        await registered(session, envelope)

    batch = [
        _item(
            ParticipantErased(participant_id=kari).envelope(source="registration"), _erasure_handler(consumer)
        ),
        _item(contact(ola, email="ola@example.org").envelope(source="registration"), fails_once),
    ]
    await TransactionBatcher(consumer._apply_batch, consumer._apply, max_size=10)._settle(batch)
    assert [item.future.result() for item in batch] == ["processed", "processed"]

    await eventually(lambda: _confirmations(mail_sink))
    await asyncio.sleep(0.5)  # time enough for a second one to arrive
    assert len(await _confirmations(mail_sink)) == 1
    assert await _left_about(notifications, kari) == NOTHING


def _erasure_handler(consumer):
    return consumer.handlers["participant.erased.v1"]


def _item(envelope, handler) -> BatchItem:
    future = asyncio.get_running_loop().create_future()
    return BatchItem(envelope, handler, contextvars.copy_context(), future)


async def _confirmations(sink) -> list:
    return [m for m in sink.received if m.recipients == ["kari@example.org"]]


async def test_two_batches_erasing_the_same_two_people_in_opposite_orders_do_not_deadlock(
    notification_settings,
):
    # Each erasure takes its person's lock exclusively; two replicas' batches taking them in message order
    # (A then B, B then A) would each wait for the other until PostgreSQL broke the circle a second later.
    # The consumer's hook takes a batch's erasures all at once, sorted (ADR 0009).
    replicas = [create_service(notification_settings), create_service(notification_settings)]
    try:
        people = [uuid.uuid4(), uuid.uuid4()]
        async with replicas[0].sessions() as session, session.begin():
            await session.execute(
                insert(models.contacts),
                [{"participant_id": p, "name": "Kari", "email": None, "language": "nb"} for p in people],
            )
        consumers = [replica.consumers["notifications.people"] for replica in replicas]
        erase = consumers[0].handlers["participant.erased.v1"]
        first_done = [asyncio.Event(), asyncio.Event()]

        def item(person: uuid.UUID, done: asyncio.Event | None) -> BatchItem:
            async def handler(session, envelope):
                await erase(session, envelope)
                if done is not None:
                    done.set()
                    await asyncio.sleep(0.3)  # hold the first erasure's lock while the other batch starts

            envelope = ParticipantErased(participant_id=person).envelope(source="registration")
            future = asyncio.get_running_loop().create_future()
            return BatchItem(envelope, handler, contextvars.copy_context(), future)

        batches = [
            [item(people[0], first_done[0]), item(people[1], None)],
            [item(people[1], first_done[1]), item(people[0], None)],
        ]
        results = await asyncio.wait_for(
            asyncio.gather(
                *(c._apply_batch(b) for c, b in zip(consumers, batches, strict=True)), return_exceptions=True
            ),
            timeout=20,
        )
        failures = [r for r in results if isinstance(r, BaseException)]
        assert not failures, failures  # a deadlock would be 40P01 in one of them
        assert await count(replicas[0], models.contacts, models.contacts.c.participant_id.in_(people)) == 0
    finally:
        for replica in replicas:
            await replica.engine.dispose()
