"""The local OpenID provider for tests: a private one (own keys, own port) that a test may rotate, and the
authorization-code flow driven with plain HTTP, as a browser would, to get real tokens from it."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from shared.devsystem import free_port
from shared.local_oidc import (
    OIDC_CONSOLE_CLIENT,
    oidc_keys_file,
    rotate_oidc_keys,
    start_oidc_provider,
    stop_oidc_provider,
)

CALLBACK = "http://127.0.0.1:9/staff/oidc/callback"  # never called: the test reads the code off the redirect


@dataclass
class PrivateProvider:
    issuer: str
    run_dir: Path
    port: int

    def private_keys(self) -> list[dict]:
        return json.loads(oidc_keys_file(self.run_dir).read_text())["keys"]

    def rotate(self) -> str:
        return rotate_oidc_keys(self.run_dir, self.port)

    def settings_for(self, settings):
        client_id, secret = OIDC_CONSOLE_CLIENT
        return settings.model_copy(
            update={"oidc_issuer": self.issuer, "oidc_client_id": client_id, "oidc_client_secret": secret}
        )


@contextlib.contextmanager
def private_provider(run_dir: Path) -> Iterator[PrivateProvider]:
    port = free_port()
    issuer = start_oidc_provider(run_dir, port)
    try:
        yield PrivateProvider(issuer, run_dir, port)
    finally:
        stop_oidc_provider(run_dir)


async def provider_tokens(issuer: str, username: str, password: str) -> dict:
    """Sign in at the provider's own login form and exchange the code (PKCE): its token response."""
    client_id, secret = OIDC_CONSOLE_CLIENT
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    query = {
        "client_id": client_id,
        "response_type": "code",
        "scope": "openid profile selvhjelp",
        "redirect_uri": CALLBACK,
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    async with httpx.AsyncClient(base_url=issuer, timeout=20) as http:
        response = await http.get(f"/auth?{urlencode(query)}")
        while response.status_code in (302, 303):
            response = await http.get(response.headers["location"])
        form = urlsplit(str(response.url)).path + "/login"
        response = await http.post(form, data={"username": username, "password": password})
        while response.headers.get("location", "").startswith((issuer, "/")):
            response = await http.get(response.headers["location"])
        assert "location" in response.headers, response.text[:500]
        answer = parse_qs(urlsplit(response.headers["location"]).query)
        assert "code" in answer, answer
        code = answer["code"][0]
        tokens = await http.post(
            "/token",
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": CALLBACK,
                "code_verifier": verifier,
            },
            auth=(client_id, secret),
        )
        tokens.raise_for_status()
        return tokens.json()
