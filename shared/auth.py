"""Signed participant links (no account) and staff bearer tokens (OIDC-compatible JWT).

Participant links carry `purpose.subject.expiry.signature` signed with HMAC-SHA256, so a token for one
purpose or person is worthless for another. Staff tokens are JWTs carrying `district` and `roles`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import uuid
from dataclasses import dataclass

import jwt

LINK_LIFETIME_SECONDS = 180 * 24 * 3600


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign_link(key: str, purpose: str, subject: uuid.UUID, *, lifetime: int = LINK_LIFETIME_SECONDS) -> str:
    expires = int(time.time()) + lifetime
    message = f"{purpose}.{subject}.{expires}"
    signature = hmac.new(key.encode(), message.encode(), hashlib.sha256).digest()
    return f"{subject}.{expires}.{_b64(signature)}"


class InvalidLink(Exception):
    pass


def verify_link(key: str, purpose: str, token: str) -> uuid.UUID:
    try:
        subject_text, expires_text, signature = token.split(".")
        subject = uuid.UUID(subject_text)
        expires = int(expires_text)
    except ValueError:
        raise InvalidLink("malformed link") from None
    expected = hmac.new(key.encode(), f"{purpose}.{subject}.{expires}".encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(_b64(expected), signature):
        raise InvalidLink("link signature does not match")
    if expires < time.time():
        raise InvalidLink("link has expired")
    return subject


@dataclass(frozen=True)
class StaffUser:
    subject: str
    district: str
    roles: frozenset[str]


def issue_staff_token(
    key: str, subject: str, district: str, roles: list[str], lifetime: int = 8 * 3600
) -> str:
    now = int(time.time())
    claims = {
        "sub": subject,
        "district": district,
        "roles": roles,
        "iat": now,
        "exp": now + lifetime,
        "aud": "selvhjelp",
        "iss": "selvhjelp-local",
    }
    return jwt.encode(claims, key, algorithm="HS256")


def verify_staff_token(key: str, token: str) -> StaffUser:
    claims = jwt.decode(token, key, algorithms=["HS256"], audience="selvhjelp")
    return StaffUser(
        subject=claims["sub"], district=claims["district"], roles=frozenset(claims.get("roles", []))
    )
