"""Revocation against the real database (ADR 0010): an erased person's links stay dead even for the
same participant id, a signed-out staff token is refused by every service it passed through, and a
cross-site form post changes nothing."""

from __future__ import annotations

import time
import uuid

import httpx
import pytest
from sqlalchemy import func, select

from services.grouping.app import create_app as create_grouping
from services.registration.models import registrations
from shared.auth import InvalidLink, issue_staff_token, sign_link
from shared.contracts import ParticipantErased
from shared.erasure import finish_erasure
from tests.integration.registration.test_registration_web import form, status_path
from tests.support import running
from tests.support.factories import registration_body

pytestmark = pytest.mark.integration


async def test_an_erased_persons_status_link_is_revoked_but_a_link_issued_after_it_works(
    client, registration_app
):
    service = registration_app.state.service
    receipt = (await client.post("/api/v1/registrations", json=registration_body())).json()
    token, person = receipt["status_token"], uuid.UUID(receipt["registration_id"])
    assert (await client.get(f"/api/v1/registrations/status/{token}")).status_code == 200

    assert (await client.post(f"/api/v1/registrations/status/{token}/erase")).status_code == 200

    with pytest.raises(InvalidLink, match="revoked"):
        await service.person_from_link("registration-status", token)
    # The same id registered again (a re-used reference) gets new links; only those work.
    later = sign_link(service.keyring, "registration-status", person, now=time.time() + 2)
    assert await service.person_from_link("registration-status", later) == person


async def test_every_service_revokes_the_erased_persons_links_from_the_erasure_event(settings):
    grouping = create_grouping(settings).state.service
    person = uuid.uuid4()
    invitation = sign_link(grouping.keyring, "invitation", person)
    feed = sign_link(grouping.keyring, "participant-feed", person)
    erased = ParticipantErased(participant_id=person).envelope(source="registration")
    try:
        async with grouping.sessions() as session, session.begin():
            await finish_erasure(session, grouping.outbox, erased, service="grouping", rows_deleted=0)
        for purpose, token in (("invitation", invitation), ("participant-feed", feed)):
            with pytest.raises(InvalidLink, match="revoked"):
                await grouping.person_from_link(purpose, token)
        someone_else = uuid.uuid4()
        assert (
            await grouping.person_from_link(
                "invitation", sign_link(grouping.keyring, "invitation", someone_else)
            )
            == someone_else
        )
    finally:
        await grouping.engine.dispose()


async def test_a_signed_out_staff_token_is_refused_by_each_service_it_signed_out_of(settings, client):
    token = issue_staff_token(settings.keyring(), "anne", "nord", ["staff"])
    bearer = {"Authorization": f"Bearer {token}"}
    grouping_app = create_grouping(settings)
    async with running(grouping_app.state.service):
        grouping = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=grouping_app), base_url="http://g.test"
        )
        async with grouping:
            grouping.cookies.set("staff_token", token)
            client.cookies.set("staff_token", token)
            assert (await grouping.get("/staff")).status_code == 200
            assert (await client.get("/api/v1/staff/registrations", headers=bearer)).status_code == 200

            # The sign-out hop: grouping first, then registration (and so on), each revoking the token.
            out = await grouping.get("/staff/sign-out")
            assert out.status_code == 303 and "/staff/sign-out" in out.headers["location"]
            assert 'staff_token=""' in out.headers["set-cookie"] and "Max-Age=0" in out.headers["set-cookie"]
            assert (await client.get("/staff/sign-out")).status_code == 303

            grouping.cookies.set("staff_token", token)  # a copy of the cookie kept by someone else
            again = await grouping.get("/staff")
            assert again.status_code == 303 and "/staff/sign-in" in again.headers["location"]
            refused = await client.get("/api/v1/staff/registrations", headers=bearer)
            assert refused.status_code == 401 and "signed out" in refused.json()["detail"]
            # A new sign-in gets a new token, which works.
            fresh = issue_staff_token(settings.keyring(), "anne", "nord", ["staff"])
            ok = await client.get("/api/v1/staff/registrations", headers={"Authorization": f"Bearer {fresh}"})
            assert ok.status_code == 200


async def test_a_cross_site_form_post_registers_nobody_while_the_forms_own_post_does(client, probe):
    cross = await client.post(
        "/register",
        data=form(),
        headers={"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    )
    assert cross.status_code == 403 and "cross-site request refused" in cross.text
    assert await probe.scalar(select(func.count()).select_from(registrations)) == 0

    own = await client.post(
        "/register",
        data=form(),
        headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://registration.test"},
    )
    status_path(own)
    assert await probe.scalar(select(func.count()).select_from(registrations)) == 1
