"""The sender: a background worker that sends due deliveries and records what happened.

Due rows are claimed with `FOR UPDATE SKIP LOCKED`, so replicas share the work and never send one row
twice at the same time; a row is marked in the transaction that claimed it. A transient failure of the
message (4xx for the recipient) waits `retry_delay` (exponential, full jitter) and is tried again up to a
limit; a permanent one (unknown address, 5xx for the recipient, gateway refusal) is recorded as `failed`
and never retried. An outage (server down or slow, our login or sender refused) is not the message's
failure: it is tried again, with a wait growing with the outage up to the cap, until the outage ends, and
never counted against its attempts. SMS is held back in the quiet hours. The message is rendered only
now, from the stored context and the contact as it is at this moment, and the context is dropped once the
delivery is settled.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.observability import metrics
from shared.settings import Settings
from shared.worker import RUN_AGAIN, NextRun, PollingWorker, log_warning

from .channels import Channels, DeliveryFailed, reference_of
from .commands.deliveries import deliver_messages_waiting_for_known_contacts
from .commands.runtime import Clock
from .domain import OSLO, as_oslo, next_allowed_send_time, outage_delay, retry_delay, too_late
from .models import contacts, deliveries
from .rendering import render
from .sending import Recipient, send_rendered

log = logging.getLogger("selvhjelp.notifications.sender")

# Context keys naming the meeting a message is about: an SMS about a meeting soon may break the quiet hours.
_MEETING_KEYS = ("meeting_start", "new_start", "first_meeting")
# How often the sender looks for messages left waiting for a contact that has since arrived (a race),
# besides right after each of the consumers' commits (`wake_and_sweep`).
WAITING_SWEEP_SECONDS = 5.0
SWEEP_BATCH = 100
# The sender's lanes: messages someone is waiting for, and the many nobody is (see DeliveryWorker.__init__).
URGENT, BULK = "urgent", "bulk"
BULK_MESSAGE_TYPES = ("registration_received",)


def meeting_of(context: dict[str, Any]) -> datetime | None:
    for key in _MEETING_KEYS:
        if context.get(key):
            return datetime.fromisoformat(context[key])
    return None


@dataclass(frozen=True)
class Outcome:
    values: dict[str, Any]
    result: str  # sent | deferred | retry | outage | failed | expired


class DeliveryWorker:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        channels: Channels,
        settings: Settings,
        clock: Clock,
        *,
        concurrency: int = 5,
    ) -> None:
        self.sessions = sessions
        self.channels = channels
        self.settings = settings
        self.clock = clock
        # Each lane sends up to `concurrency` at once: a shared limit would let receipts hold every slot.
        self._limits = {URGENT: asyncio.Semaphore(concurrency), BULK: asyncio.Semaphore(concurrency)}
        # Set while the urgent lane has nothing in hand. The process is mostly CPU (rendering, MIME, the
        # consumers), so running the lanes side by side would still slow the urgent one down; the bulk
        # lane steps aside before each message while the urgent lane works.
        self._urgent_idle = asyncio.Event()
        self._urgent_idle.set()
        # Two lanes, each its own worker: receipts are many and nobody waits on them, while a group's
        # invitations and reminders are few and someone is waiting. With one loop an invitation waited for
        # a whole batch of receipts being sent; now the urgent lane sends it at once beside them.
        self._lanes = {
            lane: PollingWorker(
                f"notification-sender-{lane}",
                functools.partial(self._lane_pass, lane),
                poll_seconds=settings.notification_poll_seconds,
                on_error=log_warning(log, "sender pass failed", lane=lane),
            )
            for lane in (URGENT, BULK)
        }
        self._sweep_due = False
        self._swept_at = 0.0
        # Per channel, while it is down (or refusing our settings): since when, and when that was last
        # logged. Cleared by the next message the channel takes.
        self._down_since: dict[str, datetime] = {}
        self._down_logged: dict[str, float] = {}

    # --- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> None:
        self._swept_at = 0.0  # the urgent lane's first pass sweeps
        for worker in self._lanes.values():
            worker.start()

    async def stop(self) -> None:
        """Let the pass in progress finish (a message half-sent and unrecorded would go out twice)."""
        grace = self.settings.graceful_timeout_seconds
        await asyncio.gather(*(worker.stop(grace_seconds=grace) for worker in self._lanes.values()))

    def wake(self) -> None:
        for worker in self._lanes.values():
            worker.wake()

    def wake_and_sweep(self) -> None:
        """After a consumer's commit. A contact event and a group event committed side by side (two
        queues, two replicas) each miss the other's row and leave a message waiting for a contact that is
        on file. Neither transaction can see it; a sweep after the later of the two commits does. In a
        burst that race is common, so the sweep runs after every commit, not only every few seconds."""
        self._sweep_due = True
        self.wake()

    @property
    def running(self) -> bool:
        return all(worker.running for worker in self._lanes.values())

    @property
    def _stopping(self) -> bool:
        return any(worker.stopping for worker in self._lanes.values())

    async def _lane_pass(self, lane: str) -> NextRun:
        if lane == URGENT and (self._sweep_due or time.monotonic() - self._swept_at > WAITING_SWEEP_SECONDS):
            self._sweep_due, self._swept_at = False, time.monotonic()
            while await self.queue_messages_waiting_for_known_contacts() >= SWEEP_BATCH:
                pass
        handled = await self.send_due(lane)
        return RUN_AGAIN if handled >= self.settings.notification_batch_size else None

    async def queue_messages_waiting_for_known_contacts(self) -> int:
        """Queue the messages of up to SWEEP_BATCH people found waiting for a contact that is on file;
        how many people that was."""
        async with self.sessions() as session, session.begin():
            return await deliver_messages_waiting_for_known_contacts(
                session, now=self.clock(), limit=SWEEP_BATCH
            )

    # --- one pass ----------------------------------------------------------------------------------
    async def send_due(self, lane: str | None = None) -> int:
        """Send one batch of due deliveries of a lane (None: both, receipts last); return how many rows
        were handled (sent, deferred or failed).

        The batch is claimed, sent and recorded in chunks of `notification_commit_every`, each in its own
        transaction: a message is recorded as sent only when its transaction commits, so a crash, a lost
        database connection or a stop cancelled after its grace period sends again at most one chunk,
        not the whole batch. Stopping ends the batch after the chunk in hand."""
        batch = self.settings.notification_batch_size
        chunk = max(1, min(self.settings.notification_commit_every, batch))
        handled = 0
        try:
            while handled < batch:
                size = min(chunk, batch - handled)
                done = await self._send_chunk(lane, size)
                handled += done
                if done < size or self._stopping:
                    break
        finally:
            if lane == URGENT:
                self._urgent_idle.set()
        return handled

    async def _send_chunk(self, lane: str | None, size: int) -> int:
        now = self.clock()
        d = deliveries
        is_bulk = d.c.message_type.in_(BULK_MESSAGE_TYPES)
        due = select(d).where(d.c.state == "queued", d.c.due_at <= now)
        if lane == URGENT:
            due = due.where(~is_bulk)
        elif lane == BULK:
            due = due.where(is_bulk)
        async with self.sessions() as session, session.begin():
            rows = (
                await session.execute(
                    # Receipts last: under a burst of registrations, members of a group just formed
                    # should not wait behind thousands of "we got your registration" messages.
                    due.order_by(is_bulk, d.c.due_at, d.c.id).limit(size).with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            if lane == URGENT:
                self._urgent_idle.clear()  # set again when the batch is done (send_due)
            outcomes = await self._attempt_all(session, rows, now, lane)
            await _record(session, rows, outcomes)
            for row, outcome in zip(rows, outcomes, strict=True):
                log.info(
                    "delivery " + outcome.result,
                    extra={
                        "delivery_id": row.id,
                        "message_type": row.message_type,
                        "channel": row.channel,
                        "attempts": outcome.values.get("attempts", row.attempts),
                    },
                )
        return len(rows)

    async def _attempt_all(
        self, session: AsyncSession, rows: list[Any], now: datetime, lane: str | None
    ) -> list[Outcome]:
        people = {r.recipient_id for r in rows} | {r.subject_id for r in rows if r.subject_id}
        found = {
            c.participant_id: Recipient(c.name, c.email, c.mobile, c.language)
            for c in (
                await session.execute(select(contacts).where(contacts.c.participant_id.in_(people)))
            ).all()
        }
        return await asyncio.gather(*(self._attempt(row, found, now, lane) for row in rows))

    async def _attempt(
        self, row: Any, people: dict[uuid.UUID, Recipient], now: datetime, lane: str | None
    ) -> Outcome:
        if lane == BULK:
            await self._urgent_idle.wait()
        context = json.loads(row.context)
        recipient = people.get(row.recipient_id)
        if recipient is None:
            return self._failed(row, now, "no contact details on file")
        meeting = _oslo_or_none(meeting_of(context))
        if too_late(row.message_type, meeting, now):
            return Outcome(
                {
                    "state": "expired",
                    "last_error": "the meeting had begun before it could be sent",
                    "context": "{}",
                },
                "expired",
            )
        if row.channel == "sms":
            allowed = next_allowed_send_time(now.astimezone(OSLO), meeting)
            if allowed > now:
                return Outcome({"due_at": allowed}, "deferred")
        context["name"] = recipient.name
        if row.subject_id is not None:
            subject = people.get(row.subject_id)
            if subject is None:
                return self._failed(row, now, "the person the message is about is no longer known")
            context["absent_name"] = subject.name
            context["subject_name"] = subject.name  # the same, for messages about someone not absent
        try:
            message = render(row.message_type, recipient.language, context)
        except Exception as error:  # a template or context bug: record it instead of retrying forever
            return self._failed(row, now, f"could not render: {type(error).__name__}")
        try:
            async with self._limits[lane or URGENT]:
                await send_rendered(self.channels, row.channel, recipient, message, reference_of(row.id))
        except DeliveryFailed as failure:
            if failure.outage:
                return self._outage(row, now, failure.reason)
            if failure.permanent:
                return self._failed(row, now, failure.reason)
            return self._retry(row, now, failure.reason)
        except Exception as error:  # an adapter bug: treat like a transient failure, it is bounded
            return self._retry(row, now, f"{type(error).__name__}")
        if self._down_since.pop(row.channel, None) is not None:
            self._down_logged.pop(row.channel, None)
            log.warning("channel back after an outage", extra={"channel": row.channel})
        return Outcome(
            {
                "state": "sent",
                "sent_at": now,
                "attempts": row.attempts + 1,
                "last_error": None,
                "context": "{}",
            },
            "sent",
        )

    def _failed(self, row: Any, now: datetime, reason: str) -> Outcome:
        # Settled: the context (links, times) is no longer needed; the log line for staff stays.
        return Outcome(
            {"state": "failed", "attempts": row.attempts + 1, "last_error": reason[:500], "context": "{}"},
            "failed",
        )

    def _outage(self, row: Any, now: datetime, reason: str) -> Outcome:
        """The server is down or refuses our own settings: not the message's fault, so its attempts stay
        as they are and it waits, longer the longer the outage lasts (up to the cap), however long that is.
        Logged as an error about once a minute per channel, and counted in the metrics."""
        channel = row.channel
        since = self._down_since.setdefault(channel, now)
        metrics.notification_outages.labels(channel).inc()
        if time.monotonic() - self._down_logged.get(channel, float("-inf")) >= 60:
            self._down_logged[channel] = time.monotonic()
            log.error(
                "channel unavailable or refusing our settings: messages are kept and tried again",
                extra={"channel": channel, "error": reason, "down_seconds": (now - since).total_seconds()},
            )
        wait = outage_delay(
            now - since,
            base=timedelta(seconds=self.settings.notification_retry_base_seconds),
            cap=timedelta(seconds=self.settings.notification_retry_cap_seconds),
        )
        return Outcome({"last_error": reason[:500], "due_at": now + wait}, "outage")

    def _retry(self, row: Any, now: datetime, reason: str) -> Outcome:
        attempts = row.attempts + 1
        if attempts >= self.settings.notification_max_attempts:
            return self._failed(row, now, f"gave up after {attempts} attempts: {reason}")
        wait = retry_delay(
            attempts,
            base=timedelta(seconds=self.settings.notification_retry_base_seconds),
            cap=timedelta(seconds=self.settings.notification_retry_cap_seconds),
        )
        return Outcome({"attempts": attempts, "last_error": reason[:500], "due_at": now + wait}, "retry")


async def _record(session: AsyncSession, rows: list[Any], outcomes: list[Outcome]) -> None:
    """Write the pass's outcomes: one executemany per kind of change instead of an UPDATE per delivery."""
    changes: dict[tuple[str, ...], list[dict[str, Any]]] = defaultdict(list)
    for row, outcome in zip(rows, outcomes, strict=True):
        changes[tuple(sorted(outcome.values))].append(
            {"delivery_id": row.id, **{f"new_{k}": v for k, v in outcome.values.items()}}
        )
    for columns, params in changes.items():
        await session.execute(
            update(deliveries)
            .where(deliveries.c.id == bindparam("delivery_id"))
            .values({column: bindparam(f"new_{column}") for column in columns}),
            params,
        )


def _oslo_or_none(moment: datetime | None) -> datetime | None:
    return as_oslo(moment) if moment is not None else None
