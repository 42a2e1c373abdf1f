"""Group commit (shared/messaging/batching.py): who shares a transaction, and what happens when one fails."""

from __future__ import annotations

import asyncio
import uuid
from types import SimpleNamespace

import pytest

from shared.messaging.batching import TransactionBatcher

pytestmark = pytest.mark.unit


def message(event_id: uuid.UUID | None = None) -> SimpleNamespace:
    return SimpleNamespace(event_id=event_id or uuid.uuid4())


class Recorder:
    """Stands in for the consumer's two transactions; `fail_batch` makes a batch fail with that error."""

    def __init__(self, fail_batch: Exception | None = None, bad: object = None) -> None:
        self.batches: list[list[object]] = []
        self.singles: list[object] = []
        self.fail_batch = fail_batch
        self.bad = bad

    async def apply_batch(self, items) -> list[str]:
        self.batches.append([item.envelope for item in items])
        await asyncio.sleep(0.01)  # the transaction takes time; more messages arrive meanwhile
        if self.fail_batch is not None:
            raise self.fail_batch
        return ["processed"] * len(items)

    async def apply_one(self, envelope, handler) -> str:
        self.singles.append(envelope)
        await asyncio.sleep(0)
        if envelope is self.bad:
            raise ValueError("this one is broken")
        return "processed"


async def test_messages_arriving_while_a_transaction_runs_share_the_next_one():
    recorder = Recorder()
    batcher = TransactionBatcher(recorder.apply_batch, recorder.apply_one, max_size=10, max_in_flight=1)
    first = asyncio.create_task(batcher.apply(message(), None))
    await asyncio.sleep(0.001)  # the first is alone: applied at once, nobody waits to fill a batch
    rest = [asyncio.create_task(batcher.apply(message(), None)) for _ in range(25)]
    outcomes = await asyncio.gather(first, *rest)

    assert outcomes == ["processed"] * 26
    assert len(recorder.singles) == 1  # the lone first message
    assert [len(b) for b in recorder.batches] == [10, 10, 5]


async def test_two_deliveries_of_one_event_never_share_a_batch():
    recorder = Recorder()
    batcher = TransactionBatcher(recorder.apply_batch, recorder.apply_one, max_size=10, max_in_flight=1)
    twice = message()
    await asyncio.gather(*(batcher.apply(m, None) for m in [message(), twice, message(), twice]))

    for batch in recorder.batches:
        assert len({m.event_id for m in batch}) == len(batch)
    applied = recorder.singles + [m for batch in recorder.batches for m in batch]
    assert applied.count(twice) == 2


async def test_a_batch_that_fails_is_applied_one_by_one_so_only_the_bad_message_fails():
    bad = message()
    recorder = Recorder(fail_batch=RuntimeError("batch failed"), bad=bad)
    batcher = TransactionBatcher(recorder.apply_batch, recorder.apply_one, max_size=10, max_in_flight=1)
    good = [message() for _ in range(3)]
    outcomes = await asyncio.gather(*(batcher.apply(m, None) for m in [*good, bad]), return_exceptions=True)

    assert outcomes[:3] == ["processed"] * 3
    assert isinstance(outcomes[3], ValueError)
    assert recorder.batches and recorder.singles == [*good, bad]


async def test_a_transient_failure_goes_to_every_message_of_the_batch_to_retry():
    recorder = Recorder(fail_batch=ConnectionResetError("database went away"))
    batcher = TransactionBatcher(recorder.apply_batch, recorder.apply_one, max_size=10, max_in_flight=1)
    messages = [message() for _ in range(4)]
    outcomes = await asyncio.gather(*(batcher.apply(m, None) for m in messages), return_exceptions=True)

    assert all(isinstance(o, ConnectionResetError) for o in outcomes)
    assert recorder.singles == []  # not retried one by one: the consumer retries them with back-off


async def test_a_message_arriving_just_as_the_last_batch_ends_is_not_stranded():
    """Found by the broker-kill test: the runner count was lowered in a done-callback, one loop step late;
    a message handed in during that step waited forever (and with it its unacked delivery)."""
    recorder = Recorder()
    batcher = TransactionBatcher(recorder.apply_batch, recorder.apply_one, max_size=10, max_in_flight=1)

    async def one_then_another() -> str:
        await batcher.apply(message(), None)
        return await asyncio.wait_for(batcher.apply(message(), None), timeout=2)

    assert await one_then_another() == "processed"
    assert len(recorder.singles) == 2
