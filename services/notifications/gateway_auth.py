"""How the SMS gateway proves a reply came from it: an HMAC-SHA256 signature, keyed with the shared
secret (`SMS_INBOUND_SECRET`), over `<timestamp>.<raw body>`. The timestamp (Unix seconds, in
X-Gateway-Timestamp) is signed too, so an old request cannot be replayed with a fresh one; a request
outside the allowed age is refused. Replays within that window are harmless: reporting an absence twice
has the effect of once.

Headers: `X-Gateway-Timestamp: 1767225600` and `X-Gateway-Signature: sha256=<hex>`.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

TIMESTAMP_HEADER = "X-Gateway-Timestamp"
SIGNATURE_HEADER = "X-Gateway-Signature"
_SCHEME = "sha256="


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The X-Gateway-Signature value for this body at this time (what the gateway computes)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return _SCHEME + digest


def is_authentic(
    secret: str,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    *,
    now: datetime,
    max_age_seconds: float,
) -> bool:
    """True only for a signature made with `secret` over this body, at a time close to `now`."""
    if not timestamp or not signature or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    if abs(now.timestamp() - int(timestamp)) > max_age_seconds:
        return False
    # Compared in constant time: the time taken says nothing about how much of a guess was right.
    return hmac.compare_digest(sign(secret, int(timestamp), body).encode(), signature.encode())
