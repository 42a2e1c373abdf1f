"""One trace from the HTTP intake to the notification service, across asynchronous hops."""

from __future__ import annotations

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from prometheus_client import REGISTRY

from services.grouping.app import create_service as create_grouping
from services.notifications.app import create_service as create_notifications
from services.registration.app import create_app as create_registration_app
from tests.support import eventually, running
from tests.support.factories import registration_body

pytestmark = pytest.mark.integration

EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="module", autouse=True)
def sdk_tracer_provider():
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
    trace.set_tracer_provider(provider)  # the first provider of the process wins; tests run in one
    yield


async def test_a_registration_is_one_trace_from_http_to_grouping_and_notifications(settings):
    EXPORTER.clear()
    app = create_registration_app(settings)
    grouping = create_grouping(settings.model_copy(update={"planning_debounce_seconds": 3600}))
    notifications = create_notifications(settings)
    async with (
        running(app.state.service),
        running(grouping),
        running(notifications),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://registration") as client,
    ):
        response = await client.post("/api/v1/registrations", json=registration_body())
        assert response.status_code == 202
        forged_link = await client.get("/status/not-a-signed-token-d41d8cd9")
        assert forged_link.status_code in (400, 403, 404)

        def consumed(event_type: str):
            return [s for s in EXPORTER.get_finished_spans() if s.name == f"{event_type} consume"]

        await eventually(
            lambda: consumed("registration.accepted.v1") and consumed("participant.contact_registered.v1")
        )
    spans = EXPORTER.get_finished_spans()
    http = next(s for s in spans if s.kind == SpanKind.SERVER and s.name == "POST /api/v1/registrations")
    in_grouping = consumed("registration.accepted.v1")[0]
    in_notifications = consumed("participant.contact_registered.v1")[0]
    assert in_grouping.context.trace_id == http.context.trace_id
    assert in_notifications.context.trace_id == http.context.trace_id
    assert in_grouping.kind == SpanKind.CONSUMER
    assert http.attributes["http.route"] == "/api/v1/registrations"
    assert http.attributes["http.response.status_code"] == 202
    # Spans and metrics are named by the route template: the link's token appears in neither.
    page = next(s for s in spans if s.kind == SpanKind.SERVER and s.name.startswith("GET "))
    assert page.name == "GET /status/{token}"
    assert page.attributes["http.response.status_code"] == forged_link.status_code
    routes = {
        sample.labels["route"]
        for family in REGISTRY.collect()
        if family.name == "selvhjelp_http_seconds"
        for sample in family.samples
        if sample.labels.get("service") == "registration"
    }
    assert {"/api/v1/registrations", "/status/{token}"} <= routes
    assert not any("d41d8cd9" in route for route in routes)
    for span in spans:  # nor does any span: FastAPI's own telemetry would record the path
        assert "d41d8cd9" not in span.name + str(span.attributes) + str(span.events)
    # One server span per request: ours, with the handler's work in it.
    assert [s.name for s in spans if s.kind == SpanKind.SERVER] == [
        "POST /api/v1/registrations",
        "GET /status/{token}",
    ]
    for span in spans:  # attributes carry ids and types, never the person's data
        assert "kari" not in str(span.attributes).lower()
