"""OpenTelemetry traces from HTTP intake to the last notification, carried in message headers.

The outbox stores the W3C trace context of the transaction that staged an event (its `headers` column);
the relay publishes those headers; a consumer continues the trace from them. So one registration's trace
spans registration → grouping → calendar → notifications even though every hop is asynchronous.

Export is configured by the standard `OTEL_EXPORTER_OTLP_ENDPOINT`; without it spans are not exported.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

tracer = trace.get_tracer("selvhjelp")
_configured = False


def configure_tracing(service: str) -> None:
    """Install an SDK tracer provider exporting over OTLP/HTTP when an endpoint is configured."""
    global _configured
    if _configured or not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    provider = TracerProvider(resource=Resource.create({"service.name": f"selvhjelp-{service}"}))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    _configured = True


def current_context_headers() -> dict[str, str]:
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextlib.contextmanager
def consuming(consumer: str, event_type: str, headers: dict[str, Any]) -> Iterator[None]:
    """A CONSUMER span continuing the producer's trace (ids and types only as attributes: no personal data)."""
    context = propagate.extract({k: v for k, v in headers.items() if isinstance(v, str)})
    with tracer.start_as_current_span(
        f"{event_type} consume",
        context=context,
        kind=SpanKind.CONSUMER,
        attributes={"messaging.system": "rabbitmq", "messaging.consumer.group.name": consumer},
    ):
        yield


@contextlib.contextmanager
def serving(service: str, method: str, headers: dict[str, str]) -> Iterator[trace.Span]:
    context = propagate.extract(headers)
    with tracer.start_as_current_span(
        method,
        context=context,
        kind=SpanKind.SERVER,
        attributes={"service": service, "http.request.method": method},
    ) as span:
        yield span
