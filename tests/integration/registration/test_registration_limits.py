"""Limits of the public intake (issue 18, finding 11): body size, length of `availability`, and the
receipt's link on the configured public address."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from services.registration.models import registrations
from shared.contracts import SLOTS
from tests.support.factories import registration_body

pytestmark = pytest.mark.integration
PUBLIC = "https://registration.selvhjelp.example.org"


@pytest.fixture
def settings(settings):
    # The test client talks to http://registration.test: a link built from the request would show it.
    return settings.model_copy(update={"registration_url": PUBLIC})


async def test_the_receipt_link_is_on_the_configured_public_address_not_the_requests(client):
    receipt = (await client.post("/api/v1/registrations", json=registration_body())).json()
    assert receipt["status_url"] == f"{PUBLIC}/status/{receipt['status_token']}"


async def test_a_body_over_64_kib_is_a_413_and_stores_nothing(client, probe):
    body = registration_body(topic_text="x" * 70_000)
    response = await client.post("/api/v1/registrations", json=body)
    assert response.status_code == 413
    assert "larger than the 65536 bytes" in response.json()["detail"]
    form = await client.post("/register", data={"name": "Kari", "topic_text": "x" * 70_000})
    assert form.status_code == 413
    assert await probe.scalar(select(func.count()).select_from(registrations)) == 0


async def test_more_availability_slots_than_a_week_has_is_a_422_saying_so(client, probe):
    response = await client.post(
        "/api/v1/registrations", json=registration_body(availability=["tue_evening"] * (len(SLOTS) + 1))
    )
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "availability"]
    assert f"at most {len(SLOTS)} weekly slots" in problem["msg"]
    assert await probe.scalar(select(func.count()).select_from(registrations)) == 0


async def test_changing_availability_to_more_slots_than_a_week_has_is_refused(client):
    receipt = (await client.post("/api/v1/registrations", json=registration_body())).json()
    token = receipt["status_token"]
    too_many = {"availability": ["tue_evening"] * (len(SLOTS) + 1)}
    page = await client.post(f"/status/{token}/availability", data=too_many)
    assert page.status_code == 422
    assert (await client.get(f"/api/v1/registrations/status/{token}")).json()["availability"] == [
        "tue_evening"
    ]
