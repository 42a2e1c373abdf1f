"""Group commit for a consumer: messages that arrive while a transaction runs share the next one.

Why: most of what a message costs is per transaction, not per message: BEGIN and COMMIT, the inbox
insert, the outbox insert, a pooled connection and a WAL flush. With one transaction per batch those are
paid once for many messages. Under no load a batch is a single message, so nothing waits to fill a batch;
under load, batches grow up to `max_size` while up to `max_in_flight` transactions run.

A batch is all-or-nothing. When it fails for a reason that is not transient, its messages are applied
again one at a time, so one bad message is dead-lettered or requeued on its own and the others go through.
When it fails for a transient reason, every message gets that error and retries with back-off as usual.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from shared.contracts import Envelope

from .errors import is_transient


@dataclass(eq=False)
class BatchItem:
    envelope: Envelope[Any]
    handler: Any
    # The message's own context (its trace span, its event and correlation ids for the logs), captured
    # where it was received, so its handler runs as if it had its own transaction.
    context: contextvars.Context
    future: asyncio.Future[str] = field(repr=False)


ApplyBatch = Callable[[Sequence[BatchItem]], Awaitable[list[str]]]
ApplyOne = Callable[[Envelope[Any], Any], Awaitable[str]]


class TransactionBatcher:
    def __init__(
        self, apply_batch: ApplyBatch, apply_one: ApplyOne, *, max_size: int = 50, max_in_flight: int = 1
    ) -> None:
        self.apply_batch = apply_batch
        self.apply_one = apply_one
        self.max_size = max_size
        self.max_in_flight = max_in_flight
        self._waiting: deque[BatchItem] = deque()
        self._running = 0  # counted synchronously: a done-callback would leave a gap where items strand
        self._runners: set[asyncio.Task[None]] = set()  # references, so running tasks are not collected

    async def apply(self, envelope: Envelope[Any], handler: Any) -> str:
        """Apply one message in the next batch transaction; return its outcome or raise its error."""
        item = BatchItem(
            envelope, handler, contextvars.copy_context(), asyncio.get_running_loop().create_future()
        )
        self._waiting.append(item)
        if self._running < self.max_in_flight:
            self._running += 1
            runner = asyncio.create_task(self._run(), name="consumer-batch")
            self._runners.add(runner)
            runner.add_done_callback(self._runners.discard)
        # Shielded: if the delivery's task is cancelled (its channel closed), the batch still settles the
        # future; the message comes back and its inbox row marks it a duplicate.
        return await asyncio.shield(item.future)

    async def _run(self) -> None:
        try:
            while self._waiting:
                batch = self._take()
                try:
                    await self._settle(batch)
                except BaseException:  # cancelled at shutdown: nobody may wait forever
                    for item in [*batch, *self._waiting]:
                        _settle_future(item, error=ConnectionError("the consumer stopped"))
                    self._waiting.clear()
                    raise
        finally:
            # No await between the last look at the queue and this: an item appended after it finds
            # fewer runners and starts one.
            self._running -= 1

    def _take(self) -> list[BatchItem]:
        """The next batch, without two deliveries of one event (the inbox insert may touch a key once)."""
        batch: list[BatchItem] = []
        later: list[BatchItem] = []
        seen: set[Any] = set()
        while self._waiting and len(batch) < self.max_size:
            item = self._waiting.popleft()
            if item.envelope.event_id in seen:
                later.append(item)
            else:
                seen.add(item.envelope.event_id)
                batch.append(item)
        self._waiting.extendleft(reversed(later))
        return batch

    async def _settle(self, batch: list[BatchItem]) -> None:
        if len(batch) > 1:
            try:
                outcomes = await self.apply_batch(batch)
            except Exception as error:
                if is_transient(error):
                    for item in batch:
                        _settle_future(item, error=error)
                    return
                # Fall through: one message of the batch is at fault; find it by applying them singly.
            else:
                for item, outcome in zip(batch, outcomes, strict=True):
                    _settle_future(item, outcome=outcome)
                return
        for item in batch:
            await self._settle_one(item)

    async def _settle_one(self, item: BatchItem) -> None:
        try:
            outcome = await in_context(item, self.apply_one(item.envelope, item.handler))
        except Exception as error:
            _settle_future(item, error=error)
        else:
            _settle_future(item, outcome=outcome)


def _settle_future(
    item: BatchItem, *, outcome: str | None = None, error: BaseException | None = None
) -> None:
    """Set the message's outcome unless it is already settled (cancelled at shutdown, say): a second
    set would raise and take the batch's other messages down with it."""
    if item.future.done():
        return
    if error is not None:
        item.future.set_exception(error)
    else:
        item.future.set_result(outcome)


async def in_context(item: BatchItem, work: Awaitable[Any]) -> Any:
    """Await `work` in (a copy of) the message's own context."""
    return await asyncio.create_task(_awaited(work), context=item.context.copy())


async def _awaited(work: Awaitable[Any]) -> Any:
    return await work
