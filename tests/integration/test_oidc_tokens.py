"""The staff JSON API against a real OpenID provider (tools/oidc-provider, private to this module): the
provider's access tokens are accepted as bearer; forged, stale or foreign ones are all refused; and after
the provider rotates its signing key, new tokens are accepted without restarting our service."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from services.registration.app import create_app
from tests.support import eventually, running
from tests.support.oidc import private_provider, provider_tokens

pytestmark = pytest.mark.integration

API = "/api/v1/staff/registrations"
AUDIENCE = "urn:selvhjelp:staff-api"


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    with private_provider(tmp_path_factory.mktemp("oidc")) as running_provider:
        yield running_provider


@pytest.fixture
async def client(settings, provider):
    app = create_app(provider.settings_for(settings))
    async with running(app.state.service):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://registration.test") as http:
            yield http


def claims(provider, **changes) -> dict:
    now = int(time.time())
    base = {
        "iss": provider.issuer,
        "aud": AUDIENCE,
        "sub": "kontor.nord",
        "iat": now,
        "exp": now + 300,
        "jti": "t1",
        "selvhjelp_roles": ["staff"],
        "selvhjelp_district": "nord",
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def signed(key: dict, payload: dict, alg: str = "RS256", kid: str | None = None) -> str:
    header = {"alg": alg, "typ": "at+jwt", "kid": kid or key["kid"]}
    return jwt.encode(header, payload, RSAKey.import_key(key), algorithms=[alg])


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unsigned(payload: dict, kid: str) -> str:
    header = b64(json.dumps({"alg": "none", "kid": kid}).encode())
    return f"{header}.{b64(json.dumps(payload).encode())}."


def hs256_with_public_key(key: dict, payload: dict) -> str:
    """The classic confusion: HMAC keyed with the provider's public key, which anyone can fetch."""
    public_pem = RSAKey.import_key(key).as_pem(private=False)
    header = b64(json.dumps({"alg": "HS256", "kid": key["kid"]}).encode())
    body = f"{header}.{b64(json.dumps(payload).encode())}"
    return f"{body}.{b64(hmac.new(public_pem, body.encode(), hashlib.sha256).digest())}"


async def status(client, token: str) -> int:
    return (await client.get(API, headers={"Authorization": f"Bearer {token}"})).status_code


async def test_the_providers_own_access_token_is_accepted(client, provider):
    tokens = await provider_tokens(provider.issuer, "kontor.nord", "nord-demo-1")
    assert tokens["access_token"].count(".") == 2  # a JWT, by resource indicator
    assert await status(client, tokens["access_token"]) == 200
    # The ID token is for the console client, not for our API.
    assert await status(client, tokens["id_token"]) == 401


async def test_forged_stale_and_foreign_tokens_are_refused(client, provider):
    key = provider.private_keys()[0]
    now = int(time.time())
    other_provider_key = RSAKey.generate_key(2048, private=True).as_dict(private=True)
    refused = {
        "wrong issuer": signed(key, claims(provider, iss="https://login.example.org")),
        "wrong audience": signed(key, claims(provider, aud="urn:someone-else")),
        "expired": signed(key, claims(provider, iat=now - 900, exp=now - 300)),
        "not yet valid": signed(key, claims(provider, nbf=now + 600)),
        "issued in the future": signed(key, claims(provider, iat=now + 600, exp=now + 900)),
        "no iat": signed(key, claims(provider, iat=None)),
        "no exp": signed(key, claims(provider, exp=None)),
        "unknown kid": signed({**key, "kid": "no-such-key"}, claims(provider)),
        "alg none": unsigned(claims(provider), key["kid"]),
        "HS256 with the public key": hs256_with_public_key(key, claims(provider)),
        "another provider's key, same kid": signed(
            {**other_provider_key, "kid": key["kid"]}, claims(provider)
        ),
        "another provider's key": signed({**other_provider_key, "kid": "theirs"}, claims(provider)),
        "no role of ours": signed(key, claims(provider, selvhjelp_roles=["guest"])),
        "staff without a district": signed(key, claims(provider, selvhjelp_district=None)),
        "garbage": "not.a.token",
    }
    results = {name: await status(client, token) for name, token in refused.items()}
    assert results == {name: 401 for name in refused}
    # The same claims, rightly signed, pass: the refusals are for what was wrong.
    assert await status(client, signed(key, claims(provider))) == 200


async def test_rotated_provider_keys_need_no_restart_here(client, provider):
    before = await provider_tokens(provider.issuer, "kontor.nord", "nord-demo-1")
    assert await status(client, before["access_token"]) == 200
    new_kid = provider.rotate()
    after = await provider_tokens(provider.issuer, "kontor.nord", "nord-demo-1")
    assert (
        json.loads(base64.urlsafe_b64decode(after["access_token"].split(".")[0] + "==")).get("kid") == new_kid
    )

    # The unknown kid makes this service fetch the keys again (at most every few seconds).
    async def accepted() -> bool:
        return await status(client, after["access_token"]) == 200

    await eventually(accepted, timeout=30, interval=1)
    assert await status(client, before["access_token"]) == 200  # the old key is still published
