"""The HTTP intake: 202 only after commit, 422 with field-level reasons, idempotency, the person's own link."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.registration.models import outbox, registrations
from tests.support import eventually
from tests.support.factories import registration_body

pytestmark = pytest.mark.integration


async def test_an_accepted_registration_is_committed_with_its_events_before_the_202(client, probe):
    response = await client.post("/api/v1/registrations", json=registration_body())
    assert response.status_code == 202
    receipt = response.json()
    participant_id = receipt["registration_id"]
    assert receipt["status_url"].endswith(f"/status/{receipt['status_token']}")

    stored = await probe.scalar(
        select(func.count())
        .select_from(registrations)
        .where(registrations.c.participant_id == participant_id)
    )
    assert stored == 1
    types = {r.event_type for r in await probe.rows(select(outbox.c.event_type))}
    assert types == {"registration.accepted.v1", "participant.contact_registered.v1"}
    [accepted] = await probe.events("registration.accepted.v1")
    assert accepted["data"]["district"] == "nord" and "email" not in accepted["data"]


async def test_bad_input_is_a_422_naming_each_field(client, probe):
    pydantic_level = await client.post(
        "/api/v1/registrations",
        json=registration_body(participant={"name": "Ola", "email": "nope"}, availability=["someday"]),
    )
    assert pydantic_level.status_code == 422
    fields = {".".join(map(str, e["loc"])) for e in pydantic_level.json()["detail"]}
    assert {"body.participant.email", "body.availability"} <= fields

    domain_level = await client.post(
        "/api/v1/registrations", json=registration_body(municipality="9999", birth_date="2015-01-01")
    )
    assert domain_level.status_code == 422
    problems = {".".join(e["loc"]): e["msg"] for e in domain_level.json()["detail"]}
    assert "18 or older" in problems["body.birth_date"]
    assert "9999" in problems["body.municipality"]
    assert await probe.scalar(select(func.count()).select_from(registrations)) == 0
    assert await probe.scalar(select(func.count()).select_from(outbox)) == 0


async def test_the_same_idempotency_key_and_body_returns_the_same_registration(client, probe):
    body = registration_body()
    first = await client.post("/api/v1/registrations", json=body, headers={"Idempotency-Key": "k-1"})
    again = await client.post("/api/v1/registrations", json=body, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 202
    assert first.json()["registration_id"] == again.json()["registration_id"]
    assert await probe.scalar(select(func.count()).select_from(registrations)) == 1
    assert len(await probe.events("registration.accepted.v1")) == 1


async def test_the_same_idempotency_key_with_another_body_is_a_409(client, probe):
    await client.post("/api/v1/registrations", json=registration_body(), headers={"Idempotency-Key": "k-2"})
    other = await client.post(
        "/api/v1/registrations", json=registration_body(topic="anxiety"), headers={"Idempotency-Key": "k-2"}
    )
    assert other.status_code == 409
    assert await probe.scalar(select(func.count()).select_from(registrations)) == 1


async def test_the_person_sees_their_status_and_withdrawing_publishes_participant_withdrew(
    client, probe, published
):
    receipt = (await client.post("/api/v1/registrations", json=registration_body())).json()
    token = receipt["status_token"]
    status = await client.get(f"/api/v1/registrations/status/{token}")
    assert status.status_code == 200 and status.json()["status"] == "waiting"

    assert (await client.post(f"/api/v1/registrations/status/{token}/withdraw")).status_code == 200
    assert (await client.get(f"/api/v1/registrations/status/{token}")).json()["status"] == "withdrawn"

    async def withdrew():
        return [e for e in published if e["event_type"] == "participant.withdrew.v1"]

    [event] = await eventually(withdrew, timeout=20)
    assert event["data"] == {"participant_id": receipt["registration_id"]}
    assert event["source"] == "registration"


async def test_a_wrong_status_token_is_a_404(client):
    assert (await client.get("/api/v1/registrations/status/abc.def.ghi")).status_code == 404
