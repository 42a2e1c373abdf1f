"""Transactional outbox and its relay.

A service adds events in the transaction of its state change; the relay publishes them with confirms and
marks them sent. Rows are claimed with `FOR UPDATE SKIP LOCKED` so several replicas share the work; a
failed publish stays pending with a growing back-off and its error, and is retried, never dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Table, Text, delete, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import Envelope
from shared.faults import crash_point
from shared.observability import metrics
from shared.tracing import current_context_headers
from shared.worker import RUN_AGAIN, NextRun, PollingWorker, log_warning

from .publisher import Publisher

log = logging.getLogger("selvhjelp.outbox")


# Rows a consumer's transaction has staged but not yet written: a consumer writes all of them in one
# multi-row INSERT just before it commits (one statement per transaction instead of one per event).
_held: ContextVar[list[tuple[Table, dict[str, Any]]] | None] = ContextVar("outbox_held", default=None)


@contextlib.contextmanager
def holding_rows(rows: list[tuple[Table, dict[str, Any]]]) -> Iterator[None]:
    """While inside, `Outbox.add` appends to `rows`; the caller must `write_held` them before commit."""
    token = _held.set(rows)
    try:
        yield
    finally:
        _held.reset(token)


async def write_held(session: AsyncSession, rows: list[tuple[Table, dict[str, Any]]]) -> None:
    """Write held rows in order (one INSERT per outbox table) and empty the list."""
    tables: dict[Table, list[dict[str, Any]]] = {}
    for table, row in rows:
        tables.setdefault(table, []).append(row)
    rows.clear()
    for table, values in tables.items():
        # executemany: SQLAlchemy sends one multi-row INSERT from a statement compiled once.
        await session.execute(_insert_ignoring_repeats(table), values)


@functools.cache
def _insert_ignoring_repeats(table: Table):
    return insert(table).on_conflict_do_nothing(index_elements=["event_id"])


class Outbox:
    def __init__(self, table: Table, exchange: str) -> None:
        self.table = table
        self.exchange = exchange

    async def add(
        self,
        session: AsyncSession,
        envelope: Envelope[Any],
        *,
        exchange: str | None = None,
        routing_key: str | None = None,
    ) -> None:
        """Stage an event in the caller's transaction. A repeated event_id is ignored (idempotent).

        `routing_key`: publish under this key instead of the event type, e.g. a reply that only one
        partner system's queue binds. The row's `event_type` column holds it: the relay routes by it."""
        row = {
            "event_id": envelope.event_id,
            "event_type": routing_key or envelope.event_type,
            "exchange": exchange or self.exchange,
            "payload": envelope.model_dump(mode="json"),
            "headers": current_context_headers(),
        }
        held = _held.get()
        if held is not None:
            held.append((self.table, row))
            return
        await session.execute(_insert_ignoring_repeats(self.table), row)

    async def forget(self, session: AsyncSession, participant_id: uuid.UUID) -> int:
        """Erasure: drop every staged or sent event that mentions the person (it may carry their data)."""
        held = _held.get()
        if held:  # rows staged earlier in this transaction are deleted too, so write them first
            await write_held(session, held)
        result = await session.execute(
            delete(self.table).where(self.table.c.payload.cast(Text).contains(str(participant_id)))
        )
        return result.rowcount or 0


class OutboxRelay:
    def __init__(
        self,
        outbox: Outbox,
        sessions: async_sessionmaker[AsyncSession],
        publisher: Publisher,
        *,
        poll_seconds: float = 0.5,
        batch_size: int = 200,
        retry_cap_seconds: float = 60.0,
    ) -> None:
        self.table = outbox.table
        self.service_name = outbox.exchange.removeprefix("selvhjelp.")
        self.sessions = sessions
        self.publisher = publisher
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self.retry_cap_seconds = retry_cap_seconds
        self.published = 0
        # After a wake, let a burst of commits land first: one relay pass then carries many events, not one.
        self.worker = PollingWorker(
            "outbox-relay",
            self._relay_pass,
            poll_seconds=poll_seconds,
            on_error=log_warning(log, "outbox relay pass failed"),
            coalesce_seconds=0.01,
        )

    def wake(self) -> None:
        """Called after a commit that staged events, so they go out now instead of at the next poll."""
        self.worker.wake()

    def start(self) -> None:
        self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()

    @property
    def running(self) -> bool:
        return self.worker.running

    async def _relay_pass(self) -> NextRun:
        # A full batch: there may be more waiting, so the next pass runs at once.
        return RUN_AGAIN if await self.relay_once() >= self.batch_size else None

    async def relay_once(self) -> int:
        """Publish one batch of due events; return how many were confirmed by the broker."""
        t = self.table
        async with self.sessions() as session, session.begin():
            rows = (
                await session.execute(
                    select(
                        t.c.id,
                        t.c.event_id,
                        t.c.event_type,
                        t.c.exchange,
                        t.c.payload,
                        t.c.headers,
                        t.c.attempts,
                    )
                    .where(t.c.state == "pending", t.c.next_attempt_at <= datetime.now(UTC))
                    .order_by(t.c.id)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            results = await asyncio.gather(*(self._publish(row) for row in rows), return_exceptions=True)
            crash_point("relay.after_publish")  # published and confirmed, not yet marked sent
            sent_ids = [row.id for row, result in zip(rows, results, strict=True) if result is None]
            if sent_ids:
                await session.execute(
                    update(t)
                    .where(t.c.id.in_(sent_ids))
                    .values(
                        state="sent", sent_at=datetime.now(UTC), attempts=t.c.attempts + 1, last_error=None
                    )
                )
            for row, result in zip(rows, results, strict=True):
                if result is not None:
                    delay = min(self.retry_cap_seconds, 0.5 * 2 ** min(row.attempts, 16))
                    await session.execute(
                        update(t)
                        .where(t.c.id == row.id)
                        .values(
                            attempts=t.c.attempts + 1,
                            last_error=f"{type(result).__name__}: {result}"[:500],
                            next_attempt_at=datetime.now(UTC) + timedelta(seconds=delay),
                        )
                    )
                    log.warning(
                        "outbox publish failed; will retry",
                        extra={"event_id": str(row.event_id), "error": type(result).__name__},
                    )
        self.published += len(sent_ids)
        metrics.outbox_published.labels(self.service_name).inc(len(sent_ids))
        return len(sent_ids)

    async def _publish(self, row: Any) -> None:
        payload = row.payload
        await self.publisher.publish(
            row.exchange,
            row.event_type,
            payload,
            message_id=str(row.event_id),
            correlation_id=str(payload.get("correlation_id") or uuid.uuid4()),
            headers=row.headers or {},
        )
