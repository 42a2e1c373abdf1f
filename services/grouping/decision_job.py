"""The deadline job of a group's own decisions: on the service clock, it opens a below-minimum decision
for every running group that fell under the minimum (whatever made it fall: someone left, was erased, or
moved), and decides every open decision whose deadline has passed."""

from __future__ import annotations

import logging

from shared.messaging.errors import is_transient
from shared.worker import RUN_AGAIN, NextRun, PollingWorker

from .commands.decisions import (
    DecisionContext,
    decide_due,
    groups_below_minimum_without_decision,
    open_below_minimum,
)
from .ending import end_groups_past_their_last_day

log = logging.getLogger("selvhjelp.grouping.decisions")
BATCH = 50


def _log_unless_transient(error: Exception) -> None:
    if not is_transient(error):
        log.error("decision pass failed", exc_info=error)


class DecisionJob:
    def __init__(self, service) -> None:
        self.service = service
        self.worker = PollingWorker(
            "grouping-decisions",
            self._pass,
            poll_seconds=service.settings.decision_poll_seconds,
            on_error=_log_unless_transient,
        )

    def context(self) -> DecisionContext:
        settings, now = self.service.settings, self.service.clock()
        return DecisionContext(
            now=now,
            today=self.service.today(now),
            rules=self.service.rules,
            days=settings.decision_days,
            max_pause_days=settings.decision_max_pause_days,
        )

    def wake(self) -> None:
        self.worker.wake()

    def start(self) -> None:
        self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()

    async def _pass(self) -> NextRun:
        return RUN_AGAIN if await self.run_once() else None

    async def run_once(self) -> bool:
        """One pass; True when there may be more due at once."""
        async with self.service.transaction() as uow:
            ctx = self.context()
            below = await groups_below_minimum_without_decision(uow.session, self.service.rules.min_size, ctx)
            for group_id in below[:BATCH]:
                await open_below_minimum(uow.session, uow.outbox, group_id, ctx)
            decided = await decide_due(uow.session, uow.outbox, ctx, limit=BATCH)
            # The same clock ends groups whose meetings staff ended on a date in the calendar.
            await end_groups_past_their_last_day(uow.session, uow.outbox, ctx.today)
        return len(below) > BATCH or decided >= BATCH
