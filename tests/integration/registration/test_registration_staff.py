"""Staff access: bearer tokens, one district's staff see only their region, every read is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from services.registration.models import audit_log
from shared.auth import issue_staff_token
from shared.keys import Keyring
from tests.support.factories import registration_body

pytestmark = pytest.mark.integration


def bearer(settings, district: str, lifetime: int = 3600, subject: str = "anne@nord") -> dict[str, str]:
    token = issue_staff_token(settings.keyring(), subject, district, ["staff"], lifetime=lifetime)
    return {"Authorization": f"Bearer {token}"}


async def register(client, municipality: str) -> str:
    response = await client.post("/api/v1/registrations", json=registration_body(municipality=municipality))
    assert response.status_code == 202
    return response.json()["registration_id"]


async def test_staff_list_and_read_only_their_own_region(client, settings):
    in_nord = await register(client, "1804")  # Bodø
    in_oslo = await register(client, "0301")  # Oslo
    nord = bearer(settings, "nord")

    listed = await client.get("/api/v1/staff/registrations", headers=nord)
    assert listed.status_code == 200
    assert [r["registration_id"] for r in listed.json()] == [in_nord]

    mine = await client.get(
        f"/api/v1/staff/registrations/{in_nord}", params={"reason": "planning"}, headers=nord
    )
    assert mine.status_code == 200 and mine.json()["email"] == "kari@example.org"

    # Another district's person looks exactly like nobody: 404, not 403.
    other = await client.get(
        f"/api/v1/staff/registrations/{in_oslo}", params={"reason": "curious"}, headers=nord
    )
    assert other.status_code == 404
    assert (
        await client.post(f"/api/v1/staff/registrations/{in_oslo}/withdraw", headers=nord)
    ).status_code == 404
    assert (
        await client.post(f"/api/v1/staff/registrations/{in_oslo}/erase", headers=nord)
    ).status_code == 404

    oslo = bearer(settings, "oslo-ost", subject="ola@oslo")
    theirs = await client.get(
        f"/api/v1/staff/registrations/{in_oslo}", params={"reason": "call"}, headers=oslo
    )
    assert theirs.status_code == 200


async def test_requests_without_a_valid_token_are_401(client, settings):
    assert (await client.get("/api/v1/staff/registrations")).status_code == 401
    expired = bearer(settings, "nord", lifetime=-60)
    assert (await client.get("/api/v1/staff/registrations", headers=expired)).status_code == 401
    forged = {
        "Authorization": "Bearer "
        + issue_staff_token(Keyring.single("another-key-of-32-bytes-or-more!!"), "x", "nord", ["staff"])
    }
    assert (await client.get("/api/v1/staff/registrations", headers=forged)).status_code == 401
    assert (
        await client.get("/api/v1/staff/audit", headers={"Authorization": "Bearer nonsense"})
    ).status_code == 401


async def test_every_read_of_a_person_is_in_the_append_only_audit_log(client, settings, probe):
    person = await register(client, "1804")
    nord = bearer(settings, "nord")
    await client.get(
        f"/api/v1/staff/registrations/{person}", params={"reason": "forming a group"}, headers=nord
    )

    [entry] = await probe.rows(select(audit_log).where(audit_log.c.action == "read"))
    assert (entry.actor, entry.district, str(entry.subject_id)) == ("anne@nord", "nord", person)
    assert entry.fields == "contact,topic" and entry.reason == "forming a group" and entry.at is not None

    audit = (await client.get("/api/v1/staff/audit", headers=nord)).json()
    assert audit[0]["subject_id"] == person and audit[0]["reason"] == "forming a group"
    # Someone else's district sees nothing of it.
    assert (await client.get("/api/v1/staff/audit", headers=bearer(settings, "oslo-ost"))).json() == []

    async with probe.service.sessions() as session:
        with pytest.raises(Exception, match="append-only"):
            async with session.begin():
                await session.execute(audit_log.delete())


async def test_a_read_without_a_reason_is_refused_and_not_audited(client, settings, probe):
    person = await register(client, "1804")
    response = await client.get(f"/api/v1/staff/registrations/{person}", headers=bearer(settings, "nord"))
    assert response.status_code == 422
    assert await probe.rows(select(audit_log).where(audit_log.c.action == "read")) == []


async def test_withdrawals_and_erasures_are_on_the_audit_page_of_the_persons_district(client, settings):
    by_staff = await register(client, "1804")
    nord = bearer(settings, "nord")
    assert (
        await client.post(f"/api/v1/staff/registrations/{by_staff}/withdraw", headers=nord)
    ).status_code == 200
    assert (
        await client.post(f"/api/v1/staff/registrations/{by_staff}/erase", headers=nord)
    ).status_code == 200
    own = await client.post("/api/v1/registrations", json=registration_body(municipality="1804"))
    token = own.json()["status_token"]
    by_themselves = own.json()["registration_id"]
    assert (await client.post(f"/api/v1/registrations/status/{token}/withdraw")).status_code == 200
    assert (await client.post(f"/api/v1/registrations/status/{token}/erase")).status_code == 200

    audit = (await client.get("/api/v1/staff/audit", headers=nord)).json()
    seen = {(e["action"], e["subject_id"], e["actor"]) for e in audit}
    assert {
        ("withdraw", by_staff, "anne@nord"),
        ("erase", by_staff, "anne@nord"),
        ("withdraw", by_themselves, "participant"),
        ("erase", by_themselves, "participant"),
    } <= seen
    assert (await client.get("/api/v1/staff/audit", headers=bearer(settings, "oslo-ost"))).json() == []


async def test_an_erasure_report_is_only_for_staff_of_the_erased_persons_district(client, settings):
    person = await register(client, "1804")
    nord, oslo = bearer(settings, "nord"), bearer(settings, "oslo-ost", subject="ola@oslo")
    # Before the erasure there is nothing to report, in any district.
    assert (await client.get(f"/api/v1/staff/erasures/{person}", headers=nord)).status_code == 404
    assert (await client.post(f"/api/v1/staff/registrations/{person}/erase", headers=nord)).status_code == 200

    mine = await client.get(f"/api/v1/staff/erasures/{person}", headers=nord)
    assert mine.status_code == 200 and mine.json()["participant_id"] == person
    # Another district's erasure looks exactly like none.
    assert (await client.get(f"/api/v1/staff/erasures/{person}", headers=oslo)).status_code == 404
