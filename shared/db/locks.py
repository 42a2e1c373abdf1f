"""Transaction-scoped advisory locks taken in one sorted order (ADR 0009).

Why one helper: a transaction that locks several keys one by one, in the order its work meets them, can
wait in a circle with another doing the same in another order; PostgreSQL only breaks that after
`deadlock_timeout`. Taking them all at once, sorted, in one statement, cannot.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

# The subquery sorts; the aggregate then takes the locks row by row, in that order.
_SORTED = "SELECT count({function}(k)) FROM (SELECT unnest(CAST(:keys AS bigint[])) AS k ORDER BY 1) AS s"
_EXCLUSIVE = text(_SORTED.format(function="pg_advisory_xact_lock"))
_SHARED = text(_SORTED.format(function="pg_advisory_xact_lock_shared"))


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a name (e.g. `calendar.venue_bookings:<id>`)."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


async def lock_keys(session: AsyncConnection, keys: Iterable[int], *, shared: bool = False) -> None:
    """Lock these keys until the transaction ends (`shared`: alongside other shared holders), all in one
    round trip and one sorted order."""
    ordered = sorted(set(keys))
    if ordered:
        await session.execute(_SHARED if shared else _EXCLUSIVE, {"keys": ordered})
