"""The committed AsyncAPI and OpenAPI documents are what outside systems build against: they must match
what the code generates."""

import pytest

from shared.cli import DOCS, render_asyncapi, render_openapi
from shared.messaging.topology import SERVICES

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("service", SERVICES)
def test_committed_asyncapi_matches_the_generated_document(service):
    committed = (DOCS / "asyncapi" / f"{service}.json").read_text()
    assert committed == render_asyncapi(service), "run `make docs` and commit docs/asyncapi"


@pytest.mark.parametrize("service", SERVICES)
def test_committed_openapi_matches_the_generated_document(service):
    committed = (DOCS / "openapi" / f"{service}.json").read_text()
    assert committed == render_openapi(service), "run `make docs` and commit docs/openapi"


def test_the_public_intake_is_documented_with_its_exchange_routing_key_and_payload():
    import json

    spec = json.loads(render_asyncapi("registration"))
    channel = spec["channels"]["registration.intake:consume"]
    assert channel["address"] == "registration.submitted.v1"
    assert channel["bindings"]["amqp"]["queue"]["name"] == "registration.intake"
    assert "selvhjelp.intake / registration.submitted.v1" in channel["description"]
    schemas = json.dumps(spec["components"]["schemas"])
    for field in ("birth_date", "municipality", "availability", "consent", "external_ref"):
        assert field in schemas
