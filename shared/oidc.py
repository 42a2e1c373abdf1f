"""The organisation's OpenID Connect provider, seen from our side: discovery, its signing keys and strict
verification of its ID and access tokens, and the claim mapping into our roles (ADR 0013).

Nothing here is provider-specific: Entra ID, ID-porten, Feide or the local `oidc-provider` of `make run`
differ only in settings (issuer, client, the claim mapping). The protocol is Authlib's (authorization
code with PKCE, shared.web.oidc); signatures and claims are checked with joserfc, Authlib's JOSE library.

Keys are fetched from the provider's `jwks_uri` and cached; a token naming a key id we have not seen
makes us fetch them again (at most once per `KEY_REFETCH_SECONDS`, so a stream of forged ids cannot
make us hammer the provider), which is how a key rotation at the provider needs no restart here.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from shared.auth import StaffUser

# Asymmetric only: a provider signs with its private key. `none` and every HMAC algorithm are refused
# whatever the token's header says (an HS256 token "signed" with the public key is the classic forgery).
ALLOWED_ALGORITHMS = (
    "RS256",
    "RS384",
    "RS512",
    "PS256",
    "PS384",
    "PS512",
    "ES256",
    "ES384",
    "ES512",
    "EdDSA",
)
KEY_REFETCH_SECONDS = 10.0
DISCOVERY_SECONDS = 3600.0
CLOCK_LEEWAY_SECONDS = 30
KNOWN_ROLES = frozenset({"staff", "contact_point", "starter", "national", "operator"})
ROLES_WITH_DISTRICT = frozenset({"staff", "starter"})


class InvalidProviderToken(Exception):
    """A token the provider did not sign, or that is not meant for us now."""


@dataclass(frozen=True)
class ClaimMapping:
    """Which of the provider's claims carry what we need (settings.oidc_claim_mapping)."""

    subject: str = "sub"
    roles: str = "selvhjelp_roles"  # Entra ID: "roles" (app roles); Feide: "groups"
    role_values: dict[str, str] | None = None  # provider value -> our role; None: the values are our roles
    district: str = "selvhjelp_district"
    municipalities: str = "selvhjelp_municipalities"
    email: str = "email"  # standard OIDC claim; taken only when `email_verified` is not false


def _as_list(value: Any) -> list[str]:
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def map_claims(claims: dict[str, Any], mapping: ClaimMapping) -> StaffUser | None:
    """Our user from the provider's claims, or None when they give no role of ours (deny by default).
    A role that needs a district (staff, starter) without one is dropped rather than widened."""
    values = _as_list(claims.get(mapping.roles))
    if mapping.role_values is not None:
        values = [mapping.role_values[v] for v in values if v in mapping.role_values]
    district = claims.get(mapping.district)
    district = district if isinstance(district, str) else ""
    roles = {role for role in values if role in KNOWN_ROLES}
    if not district:
        roles -= ROLES_WITH_DISTRICT
    subject = claims.get(mapping.subject)
    if not roles or not isinstance(subject, str) or not subject:
        return None
    return StaffUser(
        subject=subject,
        district=district,
        roles=frozenset(roles),
        token_id=str(claims.get("jti", "")),
        municipalities=frozenset(_as_list(claims.get(mapping.municipalities))),
        email=_verified_email(claims, mapping),
    )


def _verified_email(claims: dict[str, Any], mapping: ClaimMapping) -> str:
    """The e-mail claim, lower-cased; empty when the provider says it is not verified (a person must not
    become a starter by typing someone else's address into their profile)."""
    email = claims.get(mapping.email)
    if not isinstance(email, str) or claims.get("email_verified") is False:
        return ""
    return email.strip().lower()


class OidcProvider:
    """One provider by issuer URL: its discovery document and keys, cached for this process."""

    def __init__(
        self,
        issuer: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.issuer = issuer.rstrip("/")
        self._transport = transport
        self._clock = clock
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys = KeySet([])
        self._keys_at = float("-inf")
        self._lock = asyncio.Lock()

    async def _get_json(self, url: str) -> dict[str, Any]:
        async with httpx.AsyncClient(transport=self._transport, timeout=10) as client:
            response = await client.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            return response.json()

    async def metadata(self) -> dict[str, Any]:
        """The discovery document; its `issuer` must be exactly the configured one (OIDC Discovery §4.3)."""
        if self._metadata is None or self._clock() - self._metadata_at > DISCOVERY_SECONDS:
            document = await self._get_json(f"{self.issuer}/.well-known/openid-configuration")
            if document.get("issuer") != self.issuer:
                raise InvalidProviderToken(f"discovery names issuer {document.get('issuer')!r}")
            self._metadata, self._metadata_at = document, self._clock()
        return self._metadata

    async def key(self, kid: str):
        """The provider's public key `kid`, fetching the key set again (rate-limited) when it is new."""
        async with self._lock:
            if self._find(kid) is None and self._clock() - self._keys_at >= KEY_REFETCH_SECONDS:
                document = await self._get_json((await self.metadata())["jwks_uri"])
                public = [k for k in document.get("keys", []) if k.get("kid") and "d" not in k]
                self._keys = KeySet.import_key_set({"keys": public})
                self._keys_at = self._clock()
        found = self._find(kid)
        if found is None:
            raise InvalidProviderToken(f"unknown key id {kid!r}")
        return found

    def _find(self, kid: str):
        return next((k for k in self._keys.keys if k.kid == kid), None)

    async def verify(self, token: str, *, audience: str, nonce: str | None = None) -> dict[str, Any]:
        """The claims of a token signed by this provider for `audience`, valid now; else InvalidProviderToken.
        `exp`, `iat`, `iss`, `aud` and `sub` are required; a present `nbf` in the future is refused."""
        try:
            header = jws.extract_compact(token.encode()).protected
        except (JoseError, ValueError) as error:
            raise InvalidProviderToken(f"malformed token: {error}") from None
        if header.get("alg") not in ALLOWED_ALGORITHMS:
            raise InvalidProviderToken(f"algorithm {header.get('alg')!r} is not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str):
            raise InvalidProviderToken("the token names no key id")
        key = await self.key(kid)
        try:
            decoded = jwt.decode(token, key, algorithms=[header["alg"]])
            registry = jwt.JWTClaimsRegistry(
                now=lambda: int(self._clock()),
                leeway=CLOCK_LEEWAY_SECONDS,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": audience},
                exp={"essential": True},
                iat={"essential": True},
                sub={"essential": True},
                **({"nonce": {"essential": True, "value": nonce}} if nonce is not None else {}),
            )
            registry.validate(decoded.claims)
        except JoseError as error:
            raise InvalidProviderToken(f"the token is invalid: {error}") from None
        claims = decoded.claims
        if claims["iat"] > self._clock() + CLOCK_LEEWAY_SECONDS:
            raise InvalidProviderToken("the token is issued in the future")
        return claims


_providers: dict[str, OidcProvider] = {}


def provider_for(settings) -> OidcProvider | None:
    """This process's view of the configured provider (one per issuer), or None without OIDC."""
    if not settings.oidc_issuer:
        return None
    issuer = settings.oidc_issuer.rstrip("/")
    if issuer not in _providers:
        _providers[issuer] = OidcProvider(issuer)
    return _providers[issuer]


def claim_mapping(settings) -> ClaimMapping:
    return ClaimMapping(**settings.oidc_claim_mapping)


async def api_user(settings, token: str) -> StaffUser | None:
    """The user of a provider access token for our staff API (bearer), or None."""
    provider = provider_for(settings)
    if provider is None:
        return None
    try:
        claims = await provider.verify(token, audience=settings.oidc_api_audience)
    except (InvalidProviderToken, httpx.HTTPError):
        return None
    return map_claims(claims, claim_mapping(settings))
