"""The partner endpoint with OAuth2 client-credentials tokens from a real OpenID provider (tools/oidc-provider,
private to this module): a partner system registers over HTTP, idempotent by its reference; a token
without the scope, for another API or for a client that is no partner is refused."""

from __future__ import annotations

import time

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy import select

from services.registration.app import create_app
from services.registration.models import registrations
from shared.local_oidc import OIDC_PARTNER_CLIENT
from shared.partners import Partner
from tests.support import running
from tests.support.factories import registration_body
from tests.support.oidc import private_provider, provider_tokens

pytestmark = pytest.mark.integration

API = "/api/v1/partner/registrations"
PARTNER_API = "urn:selvhjelp:partner-api"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    with private_provider(tmp_path_factory.mktemp("oidc")) as running_provider:
        yield running_provider


@pytest.fixture
async def partner_app(settings, provider):
    partners = [
        Partner(name="kommune-http", oauth_client_id=OIDC_PARTNER_CLIENT[0]),
        Partner(name="kommune-to", oauth_client_id="partner-2"),  # its tokens are made by signed_by_provider
    ]
    app = create_app(provider.settings_for(settings).model_copy(update={"partners": partners}))
    async with running(app.state.service):
        yield app


@pytest.fixture
async def http(partner_app):
    transport = httpx.ASGITransport(app=partner_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registration.test") as client:
        yield client


async def stored(partner_app) -> list[tuple[str, str]]:
    async with partner_app.state.service.sessions() as session:
        rows = (await session.execute(select(registrations.c.participant_id, registrations.c.sender))).all()
    return [(str(row.participant_id), row.sender) for row in rows]


async def client_credentials(issuer: str, **form: str) -> str:
    """An access token for the demo partner client, from the provider's token endpoint."""
    async with httpx.AsyncClient(base_url=issuer, timeout=20) as http:
        response = await http.post(
            "/token", data={"grant_type": "client_credentials", **form}, auth=OIDC_PARTNER_CLIENT
        )
    response.raise_for_status()
    return response.json()["access_token"]


def signed_by_provider(provider, **claims) -> str:
    """A token signed with the provider's own key: everything right but what a test changes."""
    key = provider.private_keys()[0]
    now = int(time.time())
    payload = {
        "iss": provider.issuer,
        "aud": PARTNER_API,
        "sub": OIDC_PARTNER_CLIENT[0],
        "client_id": OIDC_PARTNER_CLIENT[0],
        "scope": "registrations:submit",
        "iat": now,
        "exp": now + 300,
        "jti": "t1",
        **claims,
    }
    header = {"alg": "RS256", "typ": "at+jwt", "kid": key["kid"]}
    return jwt.encode(header, payload, RSAKey.import_key(key), algorithms=["RS256"])


def body(reference: str = "sak-http-1", **changes) -> dict:
    return registration_body(source="external", external_ref=reference, **changes)


async def test_a_partner_registers_with_a_client_credentials_token_and_a_resend_registers_nobody(
    partner_app, http, provider
):
    token = await client_credentials(provider.issuer, scope="registrations:submit")
    headers = {"Authorization": f"Bearer {token}"}

    first = await http.post(API, json=body(), headers=headers)
    again = await http.post(API, json=body(), headers=headers)

    assert first.status_code == 201, first.text
    assert first.json()["external_ref"] == "sak-http-1" and first.json()["created"] is True
    assert again.status_code == 200
    assert again.json() == {**first.json(), "created": False}
    assert await stored(partner_app) == [(first.json()["registration_id"], "kommune-http")]


async def test_the_same_reference_from_another_partner_is_another_registration(partner_app, http, provider):
    token = await client_credentials(provider.issuer, scope="registrations:submit")
    other = signed_by_provider(provider, client_id="partner-2", sub="partner-2")

    first = await http.post(API, json=body("felles-1"), headers={"Authorization": f"Bearer {token}"})
    second = await http.post(API, json=body("felles-1"), headers={"Authorization": f"Bearer {other}"})

    assert first.status_code == second.status_code == 201
    assert sorted(await stored(partner_app)) == sorted(
        [(first.json()["registration_id"], "kommune-http"), (second.json()["registration_id"], "kommune-to")]
    )


async def test_without_a_token_or_with_another_scope_audience_or_client_it_is_refused(
    partner_app, http, provider
):
    without_scope = await client_credentials(provider.issuer)
    staff = (await provider_tokens(provider.issuer, "kontor.nord", "nord-demo-1"))["access_token"]
    refused = {
        "no token": (None, 401),
        "not a token": ("nonsense", 401),
        "no scope": (without_scope, 403),
        "another scope": (signed_by_provider(provider, scope="staff"), 403),
        "the staff API's token": (staff, 401),
        "expired": (
            signed_by_provider(provider, iat=int(time.time()) - 900, exp=int(time.time()) - 600),
            401,
        ),
        "a client that is no partner": (
            signed_by_provider(provider, client_id="someone", sub="someone"),
            403,
        ),
    }
    for case, (token, status) in refused.items():
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = await http.post(API, json=body(), headers=headers)
        assert response.status_code == status, case
    assert await stored(partner_app) == []


async def test_a_partner_registers_people_as_source_external_only(http, provider):
    token = await client_credentials(provider.issuer, scope="registrations:submit")
    response = await http.post(
        API,
        json=registration_body(source="self", external_ref="x-1"),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 422
