"""What the commands need besides the session."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from shared.messaging import Outbox
from shared.settings import Settings

from ..links import Links

SOURCE = "notifications"


Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Runtime:
    """What commands need besides the session: settings, the link signer, the clock and the outbox."""

    settings: Settings
    links: Links
    clock: Clock
    outbox: Outbox
