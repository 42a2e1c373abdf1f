"""At-least-once in, exactly one effect out.

`EventConsumer` is what every service's subscriber calls with the raw message. It parses the envelope,
records `(consumer, event_id)` in the inbox in the same transaction as the handler's effect, and decides
the message's fate:

- processed or a duplicate: ack (a duplicate only bumps the inbox's counter);
- invalid (bad JSON, unknown shape, a rule the sender broke, or on a queue outside systems publish into,
  no `user_id`): a copy goes to the queue's DLQ with the reason in `x-rejection-reason`, an optional
  rejection event is staged, then ack;
- transient (database or network down): retried here with capped back-off until it works, so an outage
  delays messages instead of dead-lettering them; on shutdown it is requeued;
- anything else (a bug): nack with requeue; the quorum queue's delivery limit dead-letters a poison
  message after a few attempts so it never blocks the queue.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.contracts import EVENTS_BY_TYPE, Envelope
from shared.faults import crash_point
from shared.observability import bind_message_context, metrics
from shared.tracing import consuming

from .batching import BatchItem, TransactionBatcher, in_context
from .errors import InvalidMessage, is_transient
from .outbox import holding_rows, write_held
from .publisher import Publisher
from .topology import DEAD_LETTER_EXCHANGE

log = logging.getLogger("selvhjelp.consumer")

_after_commit: ContextVar[list[Callable[[], None]] | None] = ContextVar("after_commit", default=None)


def call_after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current message's transaction has committed (e.g. wake a poller that would
    find nothing before). Outside a consumer's transaction it runs at once."""
    pending = _after_commit.get()
    if pending is None:
        callback()
    else:
        pending.append(callback)


Handler = Callable[[AsyncSession, Envelope[Any]], Awaitable[None]]
RejectionHook = Callable[[AsyncSession, dict[str, Any] | None, InvalidMessage], Awaitable[None]]
# Runs in the transaction before its handlers, with the envelopes they will get (duplicates left out):
# e.g. to lock every row the batch is about in one sorted order, so two batches never wait for each other.
BeforeHandlers = Callable[[AsyncSession, Sequence[Envelope[Any]]], Awaitable[None]]


@dataclass
class IncomingMessage:
    body: bytes
    routing_key: str
    headers: dict[str, Any]
    message_id: str | None = None
    # The AMQP `user_id` property: RabbitMQ refuses a message whose user_id is not the publishing
    # connection's user, so when present it names the sender reliably.
    user_id: str | None = None


NO_USER_ID = (
    "the message has no user_id property: set it to your broker user name (the broker checks it), so we "
    "know which system sent it"
)


def validation_errors(error: ValidationError) -> list[dict[str, str]]:
    """Pydantic errors as `{field, message}`, without echoing the input (it may be sensitive)."""
    return [
        {"field": ".".join(str(p) for p in item["loc"]) or "body", "message": item["msg"]}
        for item in error.errors(include_input=False, include_url=False)
    ]


def parse_envelope(body: bytes) -> tuple[dict[str, Any], Envelope[Any]]:
    try:
        raw = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise InvalidMessage(
            f"body is not valid JSON: {error.msg if hasattr(error, 'msg') else error}"
        ) from None
    if not isinstance(raw, dict):
        raise InvalidMessage("body must be a JSON object (the event envelope)")
    event_type = raw.get("event_type")
    model = EVENTS_BY_TYPE.get(event_type) if isinstance(event_type, str) else None
    if model is None:
        raise InvalidMessage(
            f"unknown event_type {event_type!r}",
            errors=[{"field": "event_type", "message": f"unknown event type {str(event_type)[:80]!r}"}],
        )
    try:
        return raw, Envelope[model].model_validate(raw)  # type: ignore[valid-type]
    except ValidationError as error:
        errors = validation_errors(error)
        summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors[:10])
        raise InvalidMessage(f"invalid {event_type}: {summary}", errors=errors) from None


class EventConsumer:
    def __init__(
        self,
        *,
        name: str,
        queue: str,
        sessions: async_sessionmaker[AsyncSession],
        inbox: Table,
        publisher: Publisher,
        handlers: dict[str, Handler],
        on_rejected: RejectionHook | None = None,
        before_handlers: BeforeHandlers | None = None,
        after_commit: Callable[[], None] | None = None,
        sender_named_by_user_id: bool = False,
        retry_base_seconds: float = 0.2,
        retry_cap_seconds: float = 5.0,
        batch_size: int = 1,
        batches_in_flight: int = 1,
    ) -> None:
        self.name = name
        self.queue = queue
        self.sessions = sessions
        self.inbox = inbox
        self.publisher = publisher
        self.handlers = handlers
        self.on_rejected = on_rejected
        self.before_handlers = before_handlers
        self.after_commit = after_commit
        self.sender_named_by_user_id = sender_named_by_user_id
        self.retry_base_seconds = retry_base_seconds
        self.retry_cap_seconds = retry_cap_seconds
        self.stopping = False
        self._inbox_insert = (
            insert(inbox)
            .on_conflict_do_update(
                index_elements=["consumer", "event_id"], set_={"duplicates": inbox.c.duplicates + 1}
            )
            .returning(inbox.c.event_id, inbox.c.duplicates)
        )
        # batch_size 1: one transaction per message (the simple path every batch falls back to).
        self.batcher = (
            TransactionBatcher(
                self._apply_batch, self._apply, max_size=batch_size, max_in_flight=batches_in_flight
            )
            if batch_size > 1
            else None
        )

    async def process(self, message: IncomingMessage) -> str:
        """Return the outcome: `processed`, `duplicate`, `ignored`, `dead_lettered` or `requeue`."""
        raw: dict[str, Any] | None = None
        if self.sender_named_by_user_id and not message.user_id:
            return await self._dead_letter(
                message, self._as_sent_by(message, _json_object(message.body)), InvalidMessage(NO_USER_ID)
            )
        try:
            raw, envelope = parse_envelope(message.body)
        except InvalidMessage as invalid:
            return await self._dead_letter(
                message, self._as_sent_by(message, _json_object(message.body)), invalid
            )
        if self.sender_named_by_user_id:
            # The envelope's `source` names the sending system: here the broker vouches for it, not the body.
            envelope = envelope.model_copy(update={"source": message.user_id})
            raw = self._as_sent_by(message, raw)
        with (
            bind_message_context(envelope.event_id, envelope.correlation_id),
            consuming(self.name, envelope.event_type, message.headers),
        ):
            handler = self.handlers.get(envelope.event_type)
            if handler is None:  # bound by a wildcard but not ours: a consumer ignores what it doesn't use
                return "ignored"
            attempt = 0
            started = time.perf_counter()
            while True:
                try:
                    if self.batcher is not None:
                        outcome = await self.batcher.apply(envelope, handler)
                    else:
                        outcome = await self._apply(envelope, handler)
                except InvalidMessage as invalid:
                    return await self._dead_letter(message, raw, invalid)
                except Exception as error:
                    if not is_transient(error):
                        log.exception("handler failed; message requeued", extra={"consumer": self.name})
                        metrics.consumer_failures.labels(self.name).inc()
                        return "requeue"
                    if self.stopping:
                        return "requeue"
                    attempt += 1
                    delay = min(self.retry_cap_seconds, self.retry_base_seconds * 2**attempt)
                    delay = random.uniform(delay / 2, delay)
                    log.warning(
                        "transient failure; retrying",
                        extra={"consumer": self.name, "attempt": attempt, "error": type(error).__name__},
                    )
                    metrics.consumer_retries.labels(self.name).inc()
                    await asyncio.sleep(delay)
                    continue
                crash_point("consumer.after_commit")  # committed, not yet acked
                if self.after_commit is not None:
                    self.after_commit()
                metrics.messages_consumed.labels(self.name, envelope.event_type, outcome).inc()
                metrics.handler_latency.labels(self.name, envelope.event_type).observe(
                    time.perf_counter() - started
                )
                return outcome

    async def _apply(self, envelope: Envelope[Any], handler: Handler) -> str:
        callbacks: list[Callable[[], None]] = []
        token = _after_commit.set(callbacks)
        try:
            outcome = await self._apply_in_transaction(envelope, handler)
        finally:
            _after_commit.reset(token)
        for callback in callbacks:
            callback()
        return outcome

    async def _record_in_inbox(self, session: AsyncSession, envelopes: list[Envelope[Any]]) -> set[Any]:
        """Insert the inbox rows; return the event ids seen before (their duplicate counter was bumped).
        Sorted by key, so two transactions that share an event lock in the same order (no deadlock)."""
        rows = sorted(
            ({"consumer": self.name, "event_id": e.event_id, "event_type": e.event_type} for e in envelopes),
            key=lambda row: row["event_id"],
        )
        result = await session.execute(self._inbox_insert, rows)  # one multi-row INSERT
        return {event_id for event_id, duplicates in result if duplicates > 0}

    async def _apply_in_transaction(self, envelope: Envelope[Any], handler: Handler) -> str:
        held: list = []
        async with self.sessions() as session, session.begin():
            if await self._record_in_inbox(session, [envelope]):
                log.info("duplicate delivery skipped", extra={"consumer": self.name})
                return "duplicate"
            if self.before_handlers is not None:
                await self.before_handlers(session, [envelope])
            with holding_rows(held):
                await handler(session, envelope)
            await write_held(session, held)
            crash_point("consumer.mid_handler")  # effect written, transaction not committed
        return "processed"

    async def _apply_batch(self, items: Sequence[BatchItem]) -> list[str]:
        """Several messages in one transaction: one inbox insert, the `before_handlers` hook, their
        handlers in order (each in its message's own context), one outbox insert, one commit."""
        callbacks: list[Callable[[], None]] = []
        held: list = []

        async def handle(session: AsyncSession, item: BatchItem) -> None:
            _after_commit.set(callbacks)  # this task runs in a copy of the message's context
            with holding_rows(held):
                await item.handler(session, item.envelope)

        async with self.sessions() as session, session.begin():
            seen_before = await self._record_in_inbox(session, [item.envelope for item in items])
            if self.before_handlers is not None:
                # After the inbox insert (its locks are taken first everywhere), before any handler.
                fresh = [item.envelope for item in items if item.envelope.event_id not in seen_before]
                await self.before_handlers(session, fresh)
            outcomes = []
            for item in items:
                if item.envelope.event_id in seen_before:
                    outcomes.append("duplicate")
                    continue
                await in_context(item, handle(session, item))
                outcomes.append("processed")
                crash_point("consumer.mid_handler")  # its effect written, the transaction not committed
            await write_held(session, held)
        for callback in callbacks:
            callback()
        if seen_before:
            log.info("duplicate deliveries skipped", extra={"consumer": self.name, "count": len(seen_before)})
        return outcomes

    async def _dead_letter(
        self, message: IncomingMessage, raw: dict[str, Any] | None, invalid: InvalidMessage
    ) -> str:
        """Stage the rejection event first (idempotent), then copy to the DLQ with the reason, then ack."""
        if self.on_rejected is not None:
            while True:
                try:
                    async with self.sessions() as session, session.begin():
                        await self.on_rejected(session, raw, invalid)
                    break
                except Exception as error:
                    if not is_transient(error) or self.stopping:
                        return "requeue"
                    await asyncio.sleep(self.retry_cap_seconds / 2)
            if self.after_commit is not None:
                self.after_commit()
        headers = {
            **{k: v for k, v in message.headers.items() if isinstance(v, (str, int, float, bool))},
            "x-rejection-reason": invalid.reason[:1000],
            "x-rejected-by": self.name,
            "x-original-routing-key": message.routing_key,
        }
        await self.publisher.publish(
            DEAD_LETTER_EXCHANGE,
            self.queue,
            message.body,
            message_id=message.message_id or str(uuid.uuid4()),
            headers=headers,
        )
        log.warning("message dead-lettered", extra={"consumer": self.name, "reason": invalid.reason[:200]})
        metrics.messages_consumed.labels(self.name, _event_type_label(raw), "dead_lettered").inc()
        return "dead_lettered"

    def _as_sent_by(self, message: IncomingMessage, raw: dict[str, Any] | None) -> dict[str, Any] | None:
        """What the rejection hook gets: on a queue whose sender the broker names, `source` is that sender
        (None without a user_id), never what the body claims."""
        if not self.sender_named_by_user_id:
            return raw
        return {**(raw or {}), "source": message.user_id or None}


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        raw = json.loads(body)
    except Exception:
        return None
    return raw if isinstance(raw, dict) else None


def _event_type_label(raw: dict[str, Any] | None) -> str:
    """A bounded metric label. The sender's `event_type` may be anything JSON holds, a dict included:
    this must never raise, or a message already copied to the DLQ would be requeued and copied again."""
    event_type = (raw or {}).get("event_type")
    return event_type if isinstance(event_type, str) and event_type in EVENTS_BY_TYPE else "unknown"


def envelope_for(model: type[BaseModel]) -> type[BaseModel]:
    """The envelope type of one event body, for documentation (AsyncAPI payload schemas)."""
    return Envelope[model]  # type: ignore[valid-type]
