"""Retention: registrations that never led to a group are erased `registration_retention_days` after they
were made; those that did, `placed_retention_days` after the group ended or dissolved or the person left it.

Each erasure is the same as a person's own (participant.erased.v1, so every service deletes too). The job
runs in every replica, but a transaction-scoped advisory lock lets only one of them work at a time, and
the rows are claimed with SKIP LOCKED so a person erasing themselves at the same moment never blocks it.
"""

from __future__ import annotations

import logging
import zlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from shared.service import Service
from shared.worker import PollingWorker, log_warning

from . import commands

log = logging.getLogger("selvhjelp.registration.retention")

LOCK_KEY = zlib.crc32(b"selvhjelp.registration.retention")
BATCH = 200


class RetentionJob:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.worker = PollingWorker(
            "registration-retention",
            self._retention_pass,
            poll_seconds=service.settings.registration_retention_interval_seconds,
            on_error=log_warning(log, "retention pass failed"),  # database down: again at the next interval
        )

    def start(self) -> None:
        self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()

    async def run_once(self, now: datetime | None = None) -> int:
        """Erase every expired registration (in batches); return how many. 0 when another replica runs."""
        settings = self.service.settings
        now = now or datetime.now(UTC)
        never_placed_before = now - timedelta(days=settings.registration_retention_days)
        left_before = now - timedelta(days=settings.placed_retention_days)
        rules = (
            lambda session: commands.erase_expired(
                session, self.service.outbox, older_than=never_placed_before, limit=BATCH
            ),
            lambda session: commands.erase_left_group(
                session, self.service.outbox, left_before=left_before, limit=BATCH
            ),
        )
        erased = 0
        for rule in rules:
            while True:
                async with self.service.transaction() as uow:
                    if not await uow.session.scalar(select(func.pg_try_advisory_xact_lock(LOCK_KEY))):
                        return erased
                    batch = await rule(uow.session)
                erased += len(batch)
                if len(batch) < BATCH:
                    break
        return erased

    async def _retention_pass(self) -> None:
        erased = await self.run_once()
        if erased:
            log.info("retention erased registrations", extra={"erased": erased})
