"""Rate limits of the public intake (API and form): per client address and per contact address.

Every accepted registration sends an e-mail or SMS, so without limits the form is a free way to send
messages to any address. Counted with `limits` (moving window) in the storage of
`registration_rate_limit_storage_url`: in memory per replica by default (a client spread over N replicas
gets at most N times the limit; the ingress limits in deploy/k8s/base/ingress.yaml bound the total), or
shared, e.g. `async+redis://…`. Contact addresses are counted under a keyed hash, so the storage holds no
personal data.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse_many
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from shared.contracts import RegistrationDetails

from . import domain


@dataclass(frozen=True)
class Limited:
    """Refused: which limit (`client` or `contact`) and the seconds until a new try can pass."""

    scope: str
    retry_after: int


class IntakeLimits:
    def __init__(self, settings) -> None:
        self.limiter = MovingWindowRateLimiter(
            storage_from_string(settings.registration_rate_limit_storage_url)
        )
        self.per_client = _items(settings.registration_rate_limit_per_client)
        self.per_contact = _items(settings.registration_rate_limit_per_contact)
        self.key = domain.identity_key(settings)

    async def check(self, client: str | None, details: RegistrationDetails) -> Limited | None:
        """Count this submission; None when every limit still allows it."""
        contacts = [c.lower() for c in (details.participant.email, details.participant.mobile) if c]
        checks = [("client", item, client or "unknown") for item in self.per_client] + [
            ("contact", item, domain.keyed_digest(self.key, contact).hex()[:32])
            for item in self.per_contact
            for contact in contacts
        ]
        for scope, item, identifier in checks:
            if not await self.limiter.hit(item, "registration", scope, identifier):
                stats = await self.limiter.get_window_stats(item, "registration", scope, identifier)
                return Limited(scope, max(1, math.ceil(stats.reset_time - time.time())))
        return None


def _items(text: str) -> list[RateLimitItem]:
    return parse_many(text) if text.strip() else []
