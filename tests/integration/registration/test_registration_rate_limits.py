"""Rate limits of the public intake (issue 18, finding 6): a client or a contact address that registers
too often in a short time gets 429 with Retry-After, in the form's language, and nothing is sent."""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy import func, select

from services.registration.models import registrations
from tests.support.factories import registration_body

pytestmark = pytest.mark.integration


@pytest.fixture
def settings(settings):
    return settings.model_copy(
        update={
            "registration_rate_limit_per_client": "3/minute",
            "registration_rate_limit_per_contact": "2/hour",
        }
    )


def person(k: int, **participant) -> dict:
    return registration_body(participant={"name": "Kari", "email": f"kari{k}@example.org", **participant})


def client_at(app, address: str) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://registration.test")


async def test_the_request_past_the_per_client_limit_is_a_429_with_retry_after(registration_app, probe):
    async with (
        client_at(registration_app, "203.0.113.7") as one,
        client_at(registration_app, "203.0.113.8") as other,
    ):
        answers = [(await one.post("/api/v1/registrations", json=person(k))).status_code for k in range(4)]
        assert answers == [202, 202, 202, 429]
        refused = await one.post("/api/v1/registrations", json=person(9))
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["Retry-After"]) <= 60
        assert "too many registrations in a short time" in refused.json()["detail"]
        # Another client is not held back by the first.
        assert (await other.post("/api/v1/registrations", json=person(10))).status_code == 202
    assert await probe.scalar(select(func.count()).select_from(registrations)) == 4


async def test_one_contact_address_is_limited_whichever_client_sends_it(registration_app, probe):
    statuses = []
    for k in range(3):
        async with client_at(registration_app, f"198.51.100.{k + 1}") as client:
            body = person(0, email="Target@Example.org")  # the same address, however it is written
            if k == 1:
                body = person(0, email="target@example.org")
            statuses.append((await client.post("/api/v1/registrations", json=body)).status_code)
    assert statuses == [202, 202, 429]
    # The mobile number counts as a contact of its own.
    async with client_at(registration_app, "198.51.100.9") as client:
        texts = [
            (
                await client.post("/api/v1/registrations", json=person(k, email=None, mobile="+4791234567"))
            ).status_code
            for k in range(3)
        ]
    assert texts == [202, 202, 429]
    assert await probe.scalar(select(func.count()).select_from(registrations)) == 4


async def test_the_form_says_so_in_the_readers_language(registration_app):
    form = {
        "name": "Kari",
        "contact": "email",
        "email": "kari@example.org",
        "birth_date": "27.03.1985",
        "gender": "female",
        "municipality": "1804",
        "topic": "grief",
        "availability": "tue_evening",
        "consent": "yes",
        "language": "nn",
    }
    async with client_at(registration_app, "192.0.2.44") as client:
        for k in range(3):
            sent = await client.post("/register?lang=nn", data={**form, "email": f"kari{k}@example.org"})
            assert sent.status_code == 303
        refused = await client.post("/register?lang=nn", data={**form, "email": "kari9@example.org"})
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert re.search(r"Prøv igjen om 1 minutt", refused.text)
    assert 'value="kari9@example.org"' in refused.text  # what the person typed is kept
