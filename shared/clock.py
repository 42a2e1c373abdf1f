"""The one notion of "today": the date in Norway, not on the server's clock (UTC in every container).

Between midnight and 01:00 (02:00 in summer) Norway is already on the next day while UTC is not: an age,
a waiting time or the earliest day staff may pick would be a day behind there."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

NORWAY = ZoneInfo("Europe/Oslo")


def utc_now() -> datetime:
    return datetime.now(UTC)


def norway_today(now: datetime | None = None) -> date:
    return (now or utc_now()).astimezone(NORWAY).date()
