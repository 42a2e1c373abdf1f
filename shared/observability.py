"""JSON logs carrying event_id and correlation_id, and Prometheus metrics.

Log records never carry personal data: handlers log identifiers and outcomes only.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import sys
import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

from prometheus_client import Counter, Gauge, Histogram
from pythonjsonlogger.json import JsonFormatter

from shared.worker import PollingWorker

_event_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("event_id", default=None)
_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("correlation_id", default=None)


@contextlib.contextmanager
def bind_message_context(event_id: uuid.UUID | str, correlation_id: uuid.UUID | str | None) -> Iterator[None]:
    tokens = (
        _event_id.set(str(event_id)),
        _correlation_id.set(str(correlation_id) if correlation_id else None),
    )
    try:
        yield
    finally:
        _event_id.reset(tokens[0])
        _correlation_id.reset(tokens[1])


class _MessageContext(logging.Filter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        record.event_id = _event_id.get()
        record.correlation_id = _correlation_id.get()
        return True


def configure_logging(service: str, level: str = "INFO", json_output: bool = True) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.addFilter(_MessageContext(service))
    if json_output:
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(service)s %(event_id)s %(correlation_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(service)s] %(name)s: %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Access logs carry URLs with signed participant tokens; keep them out.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)


metrics = SimpleNamespace(
    messages_consumed=Counter(
        "selvhjelp_messages_consumed_total",
        "Messages handled, by event type and outcome (processed, duplicate, ignored, dead_lettered, requeue)",
        ["consumer", "event_type", "outcome"],
    ),
    handler_latency=Histogram(
        "selvhjelp_handler_seconds", "Time to handle one message, commit included", ["consumer", "event_type"]
    ),
    groups_formed=Counter("selvhjelp_groups_formed_total", "Groups proposed by the planner", ["region"]),
    planning_latency=Histogram(
        "selvhjelp_planning_seconds",
        "Time to plan one district: `solve` is the planner alone, `transaction` also locks, reads and writes",
        ["part"],
        buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 120.0),
    ),
    consumer_retries=Counter("selvhjelp_consumer_transient_retries_total", "Transient retries", ["consumer"]),
    consumer_failures=Counter("selvhjelp_consumer_failures_total", "Unexpected handler errors", ["consumer"]),
    notification_outages=Counter(
        "selvhjelp_notification_outage_retries_total",
        "Deliveries put back because the mail server or SMS gateway was down or refused our settings",
        ["channel"],
    ),
    outbox_published=Counter(
        "selvhjelp_outbox_published_total", "Events confirmed by the broker", ["service"]
    ),
    http_latency=Histogram("selvhjelp_http_seconds", "HTTP request latency", ["service", "route"]),
)
# Backlog and waiting: sampled from the database (every replica reports the same figure; alerts take the max).
metrics.outbox_pending = Gauge(
    "selvhjelp_outbox_pending", "Events not yet confirmed by the broker", ["service"]
)
metrics.outbox_oldest_age = Gauge(
    "selvhjelp_outbox_oldest_pending_age_seconds", "Age of the oldest unpublished outbox event", ["service"]
)
metrics.pool_waiting = Gauge("selvhjelp_pool_waiting", "People waiting for a group", ["region"])
metrics.pool_longest_wait = Gauge(
    "selvhjelp_pool_longest_wait_seconds", "Longest time a person in the pool has waited", ["region"]
)


def _backlog_not_sampled(error: Exception) -> None:
    # A database outage shows in readiness; the probe just tries again at the next interval.
    logging.getLogger("selvhjelp.observability").warning("outbox backlog not sampled")


class OutboxBacklogProbe:
    """Samples a service's outbox backlog into the two outbox gauges; a `Service.background` job.

    A backlog that grows or ages means the relay cannot publish (broker down, permissions, unroutable).
    """

    def __init__(
        self, service: str, sessions: Any, outbox_table: Any, interval_seconds: float = 15.0
    ) -> None:
        self.service = service
        self.sessions = sessions
        self.table = outbox_table
        self.interval_seconds = interval_seconds
        self.worker = PollingWorker(
            f"{service}-outbox-backlog-probe",
            self._sampling_pass,
            poll_seconds=interval_seconds,
            on_error=_backlog_not_sampled,
        )

    async def sample_once(self) -> tuple[int, float]:
        from sqlalchemy import func, select

        query = select(
            func.count(),
            func.coalesce(func.extract("epoch", func.now() - func.min(self.table.c.created_at)), 0),
        ).where(self.table.c.state == "pending")
        async with self.sessions() as session:
            pending, oldest = (await session.execute(query)).one()
        metrics.outbox_pending.labels(self.service).set(pending)
        metrics.outbox_oldest_age.labels(self.service).set(float(oldest))
        return int(pending), float(oldest)

    async def _sampling_pass(self) -> None:
        await self.sample_once()

    def start(self) -> None:
        self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()
