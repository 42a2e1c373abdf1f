"""Nobody gets another person's registration through the public intake (issue 18, finding 1).

Before: the API took any `source` and `external_ref`, and a duplicate answered with the *existing* person's
status link, which let its bearer see their status and withdraw or erase them.
"""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from services.registration.models import idempotency_keys, registrations
from tests.support import eventually
from tests.support.factories import registration_body, submitted_envelope

pytestmark = pytest.mark.integration


def contacts_for(events: list[dict], participant_id: str) -> list[dict]:
    return [e["data"] for e in events if e["data"]["participant_id"] == participant_id]


@pytest.mark.parametrize("source", ["external", "contact_point", "district_office"])
async def test_the_public_api_refuses_every_source_but_self_with_a_clear_reason(client, probe, source):
    response = await client.post(
        "/api/v1/registrations", json=registration_body(source=source, external_ref="p1-ok-5")
    )
    assert response.status_code == 422
    [problem] = response.json()["detail"]
    assert problem["loc"] == ["body", "source"]
    assert "source must be self" in problem["msg"] and "selvhjelp.intake" in problem["msg"]
    assert await probe.scalar(select(func.count()).select_from(registrations)) == 0


async def test_an_outside_systems_person_cannot_be_reached_through_the_public_api(client, probe, settings):
    """The reproduction of the finding: an outside system registered "Peer p1 5" as p1-ok-5."""
    from services.registration.handlers import make_handlers
    from shared.contracts import Envelope, RegistrationSubmitted

    service = probe.service
    intake = make_handlers(service)
    envelope = Envelope[RegistrationSubmitted].model_validate(
        submitted_envelope(
            external_ref="p1-ok-5", participant={"name": "Peer p1 5", "email": "peer@example.org"}
        )
    )
    async with service.sessions() as session, session.begin():
        await intake["registration.submitted.v1"](session, envelope)

    taking = registration_body(
        source="external", external_ref="p1-ok-5", participant={"name": "Mallory", "email": "m@example.org"}
    )
    response = await client.post("/api/v1/registrations", json=taking)
    assert response.status_code == 422 and "status_url" not in response.text
    assert await probe.scalar(select(func.count()).select_from(registrations)) == 1


async def test_a_duplicate_gets_an_answer_like_a_new_ones_with_no_link_to_the_person_who_is_told_instead(
    client, probe, published
):
    first_body = registration_body(
        external_ref="app-42", participant={"name": "Kari Nordmann", "email": "kari@example.org"}
    )
    first = await client.post("/api/v1/registrations", json=first_body)
    other_body = registration_body(
        external_ref="app-42", participant={"name": "Mallory", "email": "mallory@example.org"}
    )
    second = await client.post("/api/v1/registrations", json=other_body)
    fresh = await client.post("/api/v1/registrations", json=registration_body(external_ref="app-43"))

    # The same status and shape for a new registration and a duplicate.
    assert first.status_code == second.status_code == fresh.status_code == 202
    assert set(second.json()) == set(first.json()) == set(fresh.json())
    kari = first.json()["registration_id"]
    answered = second.json()
    assert answered["registration_id"] != kari
    assert kari not in second.text and first.json()["status_token"] not in second.text
    # ... and the link in it leads nowhere: not to Kari's status, withdrawal or erasure.
    assert (await client.get(f"/api/v1/registrations/status/{answered['status_token']}")).status_code == 404
    assert (await client.get(f"/status/{answered['status_token']}")).status_code == 404
    assert (await client.get(f"/api/v1/registrations/status/{first.json()['status_token']}")).json()[
        "status"
    ] == "waiting"

    # Nothing of Mallory's is stored, and Kari is told at her own stored address.
    stored = await probe.rows(select(registrations.c.name, registrations.c.email))
    assert sorted(tuple(r) for r in stored) == [
        ("Kari Nordmann", "kari@example.org"),
        ("Kari Nordmann", "kari@example.org"),
    ]

    async def kari_told_twice():
        sent = contacts_for([e for e in published if e["event_type"].startswith("participant.contact")], kari)
        return sent if len(sent) == 2 else None

    receipt, notice = await eventually(kari_told_twice, timeout=20)
    assert notice == receipt  # the receipt again: her own name, address and (in the message) her own link
    assert notice["email"] == "kari@example.org" and "mallory" not in str(published).lower()


async def test_replaying_the_duplicates_idempotency_key_still_gives_no_link_to_the_person(client, probe):
    await client.post("/api/v1/registrations", json=registration_body(external_ref="app-7"))
    kari = (await probe.rows(select(registrations.c.participant_id)))[0].participant_id
    body = registration_body(external_ref="app-7", participant={"name": "Mallory", "email": "m@example.org"})
    headers = {"Idempotency-Key": "mallory-1"}
    once = await client.post("/api/v1/registrations", json=body, headers=headers)
    again = await client.post("/api/v1/registrations", json=body, headers=headers)
    assert once.status_code == again.status_code == 202
    assert once.json()["registration_id"] == again.json()["registration_id"] != str(kari)
    bound = await probe.scalar(
        select(idempotency_keys.c.participant_id).where(idempotency_keys.c.key == "mallory-1")
    )
    assert bound == uuid.UUID(once.json()["registration_id"])
