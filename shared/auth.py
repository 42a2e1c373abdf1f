"""Signed participant links (no account) and staff bearer tokens (OIDC-compatible JWT), see ADR 0010.

A participant link is `kid.subject.issued.expires.signature`: HMAC-SHA256 over the purpose and those
fields with the key derived for that purpose (shared.keys), so a link for one purpose or person is
worthless for another, and a staff token is never a link. `issued` lets the verifying service refuse a
person's links issued before their erasure (shared.revocation). Staff tokens are JWTs (HS256 with the
staff-token key, `kid` in the header) that must carry `exp`, `iat`, `iss`, `aud`, `sub` and `jti`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt

from shared.keys import Keyring, UnknownKey

LINK_LIFETIME_SECONDS = 180 * 24 * 3600
STAFF_TOKEN_SECONDS = 8 * 3600
STAFF_TOKEN_PURPOSE = "staff-token"
STAFF_AUDIENCE = "selvhjelp"
DEFAULT_ISSUER = "selvhjelp-local"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _link_signature(keyring: Keyring, kid: str, purpose: str, body: str) -> str:
    key = keyring.derive(kid, "link/" + purpose)
    return _b64(hmac.new(key, f"{purpose}.{body}".encode(), hashlib.sha256).digest())


def sign_link(
    keyring: Keyring,
    purpose: str,
    subject: uuid.UUID,
    *,
    lifetime: int = LINK_LIFETIME_SECONDS,
    now: float | None = None,
) -> str:
    issued = int(time.time() if now is None else now)
    body = f"{keyring.current}.{subject}.{issued}.{issued + lifetime}"
    return f"{body}.{_link_signature(keyring, keyring.current, purpose, body)}"


class InvalidLink(Exception):
    pass


@dataclass(frozen=True)
class SignedLink:
    subject: uuid.UUID
    issued_at: datetime  # the epoch for links of the format before key ids (see _legacy_link)
    kid: str


def read_link(keyring: Keyring, purpose: str, token: str) -> SignedLink:
    """The link's subject and issue time, if `token` is a valid, unexpired link for `purpose`."""
    parts = token.split(".")
    if len(parts) == 3:
        return _legacy_link(keyring, purpose, parts)
    try:
        kid, subject_text, issued_text, expires_text, signature = parts
        subject = uuid.UUID(subject_text)
        issued, expires = int(issued_text), int(expires_text)
    except ValueError:
        raise InvalidLink("malformed link") from None
    try:
        expected = _link_signature(keyring, kid, purpose, ".".join(parts[:4]))
    except UnknownKey:
        raise InvalidLink("link signed with an unknown key") from None
    if not hmac.compare_digest(expected, signature):
        raise InvalidLink("link signature does not match")
    if expires < time.time():
        raise InvalidLink("link has expired")
    return SignedLink(subject, datetime.fromtimestamp(issued, UTC), kid)


def _legacy_link(keyring: Keyring, purpose: str, parts: list[str]) -> SignedLink:
    # Links sent before key ids (`subject.expires.signature`, signed with a ring key itself) keep working
    # until they expire, so calendar subscriptions survive the upgrade. They count as issued at the
    # epoch: any revocation of the person cuts them. Remove once the longest such link has expired.
    try:
        subject_text, expires_text, signature = parts
        subject = uuid.UUID(subject_text)
        expires = int(expires_text)
    except ValueError:
        raise InvalidLink("malformed link") from None
    message = f"{purpose}.{subject}.{expires}".encode()
    for kid in keyring.keys:
        expected = _b64(hmac.new(keyring.raw(kid), message, hashlib.sha256).digest())
        if hmac.compare_digest(expected, signature):
            if expires < time.time():
                raise InvalidLink("link has expired")
            return SignedLink(subject, datetime.fromtimestamp(0, UTC), kid)
    raise InvalidLink("link signature does not match")


def verify_link(keyring: Keyring, purpose: str, token: str) -> uuid.UUID:
    """The subject of a valid link (no revocation check: see shared.revocation.check_link)."""
    return read_link(keyring, purpose, token).subject


@dataclass(frozen=True)
class StaffUser:
    subject: str
    district: str
    roles: frozenset[str]
    token_id: str = ""
    expires_at: datetime | None = None
    municipalities: frozenset[str] = frozenset()  # a contact point's municipalities (numbers)
    email: str = ""  # the provider's verified e-mail: how a starter is found in the calendar (ADR 0014)


class InvalidStaffToken(Exception):
    pass


def issue_staff_token(
    keyring: Keyring,
    subject: str,
    district: str,
    roles: list[str],
    lifetime: int = STAFF_TOKEN_SECONDS,
    *,
    issuer: str = DEFAULT_ISSUER,
    municipalities: list[str] | None = None,
    email: str = "",
) -> str:
    now = int(time.time())
    claims = {
        "sub": subject,
        "district": district,
        "roles": roles,
        "iat": now,
        "exp": now + lifetime,
        "aud": STAFF_AUDIENCE,
        "iss": issuer,
        "jti": uuid.uuid4().hex,  # what sign-out revokes
    }
    if municipalities:
        claims["municipalities"] = municipalities
    if email:
        claims["email"] = email
    return jwt.encode(
        claims,
        keyring.derive(keyring.current, STAFF_TOKEN_PURPOSE),
        algorithm="HS256",
        headers={"kid": keyring.current},
    )


def verify_staff_token(keyring: Keyring, token: str, *, issuer: str = DEFAULT_ISSUER) -> StaffUser:
    """Signature by a key in the ring, and every claim that bounds the token's use is present and right."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        if not isinstance(kid, str):
            raise InvalidStaffToken("the token names no key id")
        key = keyring.derive(kid, STAFF_TOKEN_PURPOSE)
        claims = jwt.decode(
            token,
            key,
            algorithms=["HS256"],
            audience=STAFF_AUDIENCE,
            issuer=issuer,
            options={"require": ["exp", "iat", "iss", "aud", "sub", "jti", "district"]},
        )
    except UnknownKey:
        raise InvalidStaffToken("the token is signed with an unknown key") from None
    except jwt.PyJWTError as error:
        raise InvalidStaffToken(f"the token is invalid: {error}") from None
    return StaffUser(
        subject=claims["sub"],
        district=claims["district"],
        roles=frozenset(claims.get("roles", [])),
        token_id=str(claims["jti"]),
        expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        municipalities=frozenset(claims.get("municipalities", [])),
        email=str(claims.get("email", "")),
    )
