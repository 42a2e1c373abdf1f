"""Retention of what a service keeps only for delivery's sake (and what each service adds to it).

Every service keeps personal data in its outbox (event payloads: names, e-mails, memberships) and an
inbox (which events it has handled). Neither is needed long: a sent event only for a look-back after an
incident, an inbox row only while the broker may still redeliver the event (a duplicate arriving after its
row is gone would be applied twice). Each service runs one job that deletes them, and the steps it adds
(`RetentionJob.add`) for its own tables; periods are settings, listed in docs/operations.md.

The job runs in every replica, but a transaction-scoped advisory lock per service lets one replica work
at a time; each step deletes in batches (SKIP LOCKED) so it never holds long locks or blocks a handler.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import ColumnElement, Table, delete, func, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db.locks import lock_key
from shared.settings import Settings
from shared.worker import PollingWorker, log_warning

log = logging.getLogger("selvhjelp.retention")

BATCH = 500
# A step deletes (or erases) at most `limit` rows that expired by `now` and says how many it did.
Step = Callable[[AsyncSession, datetime, int], Awaitable[int]]


async def purge_sent_outbox(session: AsyncSession, outbox: Table, older_than: datetime, limit: int) -> int:
    """Delete outbox rows published before `older_than`; pending ones stay until they are sent."""
    doomed = (
        select(outbox.c.id)
        .where(outbox.c.state == "sent", outbox.c.sent_at < older_than)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await session.execute(delete(outbox).where(outbox.c.id.in_(doomed)))).rowcount or 0


async def purge_inbox(session: AsyncSession, inbox: Table, older_than: datetime, limit: int) -> int:
    """Delete inbox rows of events handled before `older_than`."""
    doomed = (
        select(inbox.c.consumer, inbox.c.event_id)
        .where(inbox.c.processed_at < older_than)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    keys = (await session.execute(doomed)).all()
    if not keys:
        return 0
    condition = tuple_(inbox.c.consumer, inbox.c.event_id).in_([tuple(k) for k in keys])
    return (await session.execute(delete(inbox).where(condition))).rowcount or 0


async def purge_where(session: AsyncSession, table: Table, condition: ColumnElement[bool], limit: int) -> int:
    """Delete at most `limit` rows of `table` that match `condition` (by primary key, skipping locked rows)."""
    key = list(table.primary_key.columns)
    doomed = select(*key).where(condition).limit(limit).with_for_update(skip_locked=True)
    keys = [tuple(k) for k in (await session.execute(doomed)).all()]
    if not keys:
        return 0
    return (await session.execute(delete(table).where(tuple_(*key).in_(keys)))).rowcount or 0


class RetentionJob:
    """One per service: the outbox and inbox steps, plus those the service adds."""

    def __init__(
        self,
        name: str,
        sessions: async_sessionmaker[AsyncSession],
        settings: Settings,
        outbox: Table,
        inbox: Table,
    ) -> None:
        self.name = name
        self.sessions = sessions
        self.settings = settings
        self.lock = lock_key(f"{name}.retention")
        self.steps: dict[str, Step] = {}
        self.worker = PollingWorker(
            f"{name}-retention",
            self._retention_pass,
            poll_seconds=settings.retention_interval_seconds,
            on_error=log_warning(log, "retention pass failed"),  # database down: again at the next interval
        )
        outbox_days, inbox_days = settings.outbox_retention_days, settings.inbox_retention_days
        self.add(
            "outbox",
            lambda s, now, n: purge_sent_outbox(s, outbox, now - timedelta(days=outbox_days), n),
        )
        self.add("inbox", lambda s, now, n: purge_inbox(s, inbox, now - timedelta(days=inbox_days), n))

    def add(self, what: str, step: Step) -> None:
        self.steps[what] = step

    async def run_once(self, now: datetime | None = None) -> dict[str, int]:
        """Every step until nothing is left; how many rows each removed. Empty when another replica runs."""
        now = now or datetime.now(UTC)
        removed: dict[str, int] = {}
        for what, step in self.steps.items():
            while True:
                async with self.sessions() as session, session.begin():
                    if not await session.scalar(select(func.pg_try_advisory_xact_lock(self.lock))):
                        return removed
                    count = await step(session, now, BATCH)
                removed[what] = removed.get(what, 0) + count
                if count < BATCH:
                    break
        return removed

    def start(self) -> None:
        self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()

    async def _retention_pass(self) -> None:
        removed = {what: n for what, n in (await self.run_once()).items() if n}
        if removed:
            log.info("retention removed rows", extra={"removed": removed})
