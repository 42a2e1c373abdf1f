"""The calendar's background loop: schedule formed groups, extend bookings and reminders as time goes by,
and send due reminders. All due work lives in PostgreSQL and is claimed with SKIP LOCKED, so replicas
share it and a restart loses nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select

from shared.messaging.errors import is_transient
from shared.worker import RUN_AGAIN, NextRun, PollingWorker

from .breaks import group_breaks
from .config import CalendarConfig
from .models import groups, starter_bookings, venue_bookings
from .plan import Booker, is_booking_race, lock_booking_owners, sqlstate, sync_plan
from .reminding import send_due_reminders
from .scheduling import Outcome, claim_next_group, postpone, schedule_claimed
from .starter_release import release_starters
from .store import load_series

log = logging.getLogger("selvhjelp.calendar.jobs")

RACE_RETRIES = 10
# Groups scheduled (each in its own transaction) before a pass also looks at plans and reminders.
SCHEDULE_PER_PASS = 20
# Plans are extended in weekly steps rather than every poll: one pass per group and week is plenty.
EXTEND_STEP = timedelta(days=7)


def _log_failed_pass(error: Exception) -> None:
    if is_transient(error):
        log.warning("calendar jobs pass failed; retrying", extra={"error": type(error).__name__})
    else:
        log.error("calendar jobs pass failed", exc_info=error)


class CalendarJobs:
    def __init__(self, service, config: CalendarConfig, clock: Callable[[], datetime] | None = None) -> None:
        self.service = service
        self.config = config
        self.clock = clock or (lambda: datetime.now(UTC))
        self.races = 0  # booking races lost and retried; visible to tests and metrics
        self.worker = PollingWorker(
            "calendar-jobs", self._jobs_pass, poll_seconds=config.poll_seconds, on_error=_log_failed_pass
        )

    def wake(self) -> None:
        self.worker.wake()

    def start(self) -> None:
        self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()

    async def _jobs_pass(self) -> NextRun:
        return RUN_AGAIN if await self.run_once() else None

    async def run_once(self) -> bool:
        """One pass over every kind of due work; True when there may be more right away."""
        scheduled = sum(
            await asyncio.gather(
                *(self._schedule_some(SCHEDULE_PER_PASS) for _ in range(self.config.schedulers))
            )
        )
        await self.extend_plans()
        sent = await self.send_reminders()
        await self.release_starters()
        return scheduled > 0 or sent > 0

    async def _schedule_some(self, limit: int) -> int:
        """One of `config.schedulers` side by side: each claims the next waiting group (SKIP LOCKED)."""
        scheduled = 0
        while scheduled < limit and await self.schedule_one() is not None:
            scheduled += 1
        return scheduled

    async def schedule_one(self) -> Outcome | None:
        """Schedule the next waiting group; a lost booking race is retried at once with fresh data."""
        for _ in range(RACE_RETRIES):
            group_id = None
            try:
                async with self.service.transaction() as uow:
                    row = await claim_next_group(uow.session)
                    if row is None:
                        return None
                    group_id = row.group_id
                    return await schedule_claimed(uow.session, uow.outbox, self.config, row, self.clock())
            except Exception as error:
                if is_booking_race(error):
                    self.races += 1
                    log.info(
                        "booking race lost; scheduling again",
                        extra={"group_id": str(group_id), "sqlstate": sqlstate(error)},
                    )
                    continue
                if group_id is None or is_transient(error):
                    raise
                log.exception(
                    "scheduling failed unexpectedly; tried again later", extra={"group_id": str(group_id)}
                )
                async with self.service.transaction() as uow:
                    await postpone(uow.session, group_id, self.clock())
                return None
        return None

    async def extend_plans(self, batch: int = 20) -> int:
        """Book and remind further ahead for groups whose plan ends within the horizon minus a step."""
        now = self.clock()
        async with self.service.transaction() as uow:
            rows = (
                await uow.session.execute(
                    select(groups.c.group_id, groups.c.district, groups.c.venue_id, groups.c.starter_id)
                    .where(groups.c.status == "scheduled")
                    .where(
                        or_(
                            groups.c.planned_until.is_(None),
                            groups.c.planned_until < now + self.config.horizon - EXTEND_STEP,
                        )
                    )
                    .order_by(groups.c.planned_until.nulls_first())
                    .limit(batch)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            # All owners of the batch at once, in one order: one transaction booking for several groups
            # must not take them group by group, or two such batches could wait for each other.
            await lock_booking_owners(
                uow.session,
                [(venue_bookings, row.venue_id) for row in rows]
                + [(starter_bookings, row.starter_id) for row in rows],
            )
            for row in rows:
                segments = await load_series(
                    uow.session, row.group_id, await group_breaks(uow.session, self.config, row.group_id)
                )
                await sync_plan(
                    uow.session,
                    self.config,
                    row.group_id,
                    segments,
                    venue=Booker(row.venue_id, strict=False),
                    starter=Booker(row.starter_id, strict=False),
                    now=now,
                )
        return len(rows)

    async def send_reminders(self) -> int:
        async with self.service.transaction() as uow:
            return await send_due_reminders(uow.session, uow.outbox, self.clock())

    async def release_starters(self) -> int:
        async with self.service.transaction() as uow:
            return await release_starters(uow.session, uow.outbox, self.clock())
