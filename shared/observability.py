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

from prometheus_client import Counter, Histogram
from pythonjsonlogger.json import JsonFormatter

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
        "selvhjelp_messages_consumed_total", "Messages handled by outcome", ["consumer", "outcome"]
    ),
    consumer_retries=Counter("selvhjelp_consumer_transient_retries_total", "Transient retries", ["consumer"]),
    consumer_failures=Counter("selvhjelp_consumer_failures_total", "Unexpected handler errors", ["consumer"]),
    outbox_published=Counter(
        "selvhjelp_outbox_published_total", "Events confirmed by the broker", ["service"]
    ),
    http_latency=Histogram("selvhjelp_http_seconds", "HTTP request latency", ["service", "route"]),
)
