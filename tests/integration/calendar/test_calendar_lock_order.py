"""Lock order of the calendar's consumer batches: two replicas whose batches are about the same groups in
opposite orders must not deadlock (PostgreSQL would break the circle only after deadlock_timeout, freezing
both queues for a second and retrying a batch). Interleaved by hand: handlers are gated with events and the
batch-applying function is called directly, so the schedule is the same on every run."""

from __future__ import annotations

import asyncio
import contextvars
import time
import uuid
from datetime import UTC, datetime

import pytest
from calendar_harness import add_starter, add_venue, count, formed_group, group_status, new_service
from sqlalchemy import text, update

from services.calendar import commands
from services.calendar.models import groups, memberships, venue_bookings
from services.calendar.plan import DEADLOCK_DETECTED, lock_booking_owners, sqlstate
from shared.contracts import GroupMemberJoined
from shared.messaging.batching import BatchItem

pytestmark = pytest.mark.integration

_WAITERS = text(
    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
    "WHERE NOT l.granted AND a.datname = current_database()"
)


async def _lock_waiters(service) -> int:
    async with service.engine.connect() as connection:
        return await connection.scalar(_WAITERS)


async def _until(check, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.02)


def _gated(handler, gate: asyncio.Event, done: asyncio.Event):
    async def run(session, envelope):
        await gate.wait()
        try:
            await handler(session, envelope)
        finally:
            done.set()

    return run


def _item(envelope, handler) -> BatchItem:
    future = asyncio.get_running_loop().create_future()
    return BatchItem(envelope, handler, contextvars.copy_context(), future)


async def test_two_replicas_batches_about_the_same_groups_in_opposite_orders_do_not_deadlock(settings):
    replicas = [new_service(settings), new_service(settings)]
    try:
        g1, g2 = formed_group(), formed_group()
        async with replicas[0].sessions() as session, session.begin():
            for group in (g1, g2):
                await commands.store_formed_group(session, group.envelope(source="grouping"))
        consumers = [replica.consumers["calendar.groups"] for replica in replicas]
        joined = consumers[0].handlers["group.member_joined.v1"]
        gates = [[asyncio.Event(), asyncio.Event()] for _ in replicas]
        dones = [[asyncio.Event(), asyncio.Event()] for _ in replicas]
        orders = [(g1.group_id, g2.group_id), (g2.group_id, g1.group_id)]
        batches = [
            [
                _item(
                    GroupMemberJoined(group_id=group_id, participant_id=uuid.uuid4()).envelope(
                        source="grouping"
                    ),
                    _gated(joined, gates[k][i], dones[k][i]),
                )
                for i, group_id in enumerate(orders[k])
            ]
            for k in range(2)
        ]
        tasks = [asyncio.create_task(consumers[k]._apply_batch(batches[k])) for k in range(2)]

        gates[0][0].set()  # replica A handles G1 (its row locked, not committed)
        await dones[0][0].wait()
        gates[1][0].set()  # replica B handles G2 ... or, in sorted order, waits for A's G1 first
        await _until(lambda: _done_or_waiting(dones[1][0], replicas[0]))
        gates[0][1].set()  # A wants G2
        await _until(lambda: _done_or_waiting(None, replicas[0], tasks[0]))
        gates[1][1].set()  # B wants G1: without one lock order, a circle
        results = await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), timeout=20)

        codes = [sqlstate(result) for result in results if isinstance(result, BaseException)]
        assert DEADLOCK_DETECTED not in codes, "the two batches deadlocked"
        assert results == [["processed", "processed"], ["processed", "processed"]]
        for group in (g1, g2):  # 6 formed members + one joined by each replica
            assert await count(replicas[0], memberships, memberships.c.group_id == group.group_id) == 8
    finally:
        for replica in replicas:
            await replica.engine.dispose()


async def _done_or_waiting(done: asyncio.Event | None, service, task: asyncio.Task | None = None) -> bool:
    """The step went through, or some transaction waits for a lock (or the batch already finished)."""
    if done is not None and done.is_set():
        return True
    if task is not None and task.done():
        return True
    return await _lock_waiters(service) > 0


async def test_ending_a_group_takes_its_venue_and_starter_locks_before_deleting_bookings(settings):
    """`end_group` releases bookings: it must wait for whoever is booking that venue (or starter) now."""
    service = new_service(settings)
    try:
        venue_id = await add_venue(service, "Bibliotek")
        starter_id = await add_starter(service)
        group = formed_group()
        async with service.sessions() as session, session.begin():
            await commands.store_formed_group(session, group.envelope(source="grouping"))
            await session.execute(
                update(groups)
                .where(groups.c.group_id == group.group_id)
                .values(status="scheduled", venue_id=venue_id, starter_id=starter_id)
            )
        config = service.calendar
        async with service.sessions() as holder, holder.begin():
            await lock_booking_owners(holder, [(venue_bookings, venue_id)])  # someone booking the venue

            async def end() -> None:
                async with service.sessions() as session, session.begin():
                    await commands.end_group(session, config, group.group_id, datetime.now(UTC))

            ending = asyncio.create_task(end())
            await _until(lambda: _done_or_waiting(None, service, ending))
            assert not ending.done(), "end_group went ahead without the venue's lock"
            assert await _advisory_waiters(service) == 1
        await asyncio.wait_for(ending, timeout=10)
        assert await group_status(service, group.group_id) == "ended"
    finally:
        await service.engine.dispose()


async def _advisory_waiters(service) -> int:
    async with service.engine.connect() as connection:
        return await connection.scalar(
            text(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
                "WHERE NOT l.granted AND l.locktype = 'advisory' AND a.datname = current_database()"
            )
        )
