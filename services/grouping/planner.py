"""The background loop that turns pool changes into groups, and lets unanswered invitations expire.

Pool changes leave a row in `planning_requests`; the loop plans a district once its first request is
`planning_debounce_seconds` old (so a burst of registrations is planned once). Rows are claimed with
SKIP LOCKED and the district is advisory-locked, so replicas never plan the same district at once.
"""

from __future__ import annotations

import contextlib
import logging
import sys
import time
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, select

from shared.clock import norway_today
from shared.messaging.errors import is_transient
from shared.observability import metrics
from shared.worker import RUN_AGAIN, NextRun, PollingWorker

from . import domain
from .commands.common import Timing
from .commands.invitations import expire_invitations, start_due_groups
from .commands.newcomer_votes import decide_due_requests
from .commands.planning import plan_district, request_planning
from .models import planning_requests, pool

log = logging.getLogger("selvhjelp.grouping.planner")
PLANNING_SWITCH_INTERVAL = 0.0005  # seconds

# The oldest request not being claimed by another replica, due or not: if it is not due yet, the loop
# knows when it will be.
_OLDEST_REQUEST = (
    select(planning_requests.c.district, planning_requests.c.requested_at)
    .order_by(planning_requests.c.requested_at)
    .limit(1)
    .with_for_update(skip_locked=True)
)


def _log_unless_transient(error: Exception) -> None:
    # A transient error (database restarting, serialization) is retried at the next pass without noise.
    if not is_transient(error):
        log.error("planner pass failed", exc_info=error)


class Planner:
    def __init__(self, service, rules: domain.PlanningRules, timing: Timing, today=None) -> None:
        self.service = service
        self.rules = rules
        self.timing = timing
        self.today = today or norway_today
        # None: every district with people waiting is planned once at start. A replica that died between
        # claiming a district's request and committing its plan left that district without a request;
        # its restart (or any other replica's) asks again instead of waiting for the periodic re-plan.
        self._last_replan: datetime | None = None
        # Per district: the day and who this replica's last plan left waiting. The next plan searches only
        # if someone else could form a group; a new day, or the periodic re-plan, searches in full.
        self._settled: dict[str, tuple[date, frozenset[domain.Person]]] = {}
        # Seconds until the oldest request falls due, when the last look found it not yet due: the loop
        # sleeps that long rather than a whole poll interval, which would add up to the interval to a plan.
        self._next_due_in: float | None = None
        self.worker = PollingWorker(
            "grouping-planner",
            self._planning_pass,
            poll_seconds=service.settings.planner_poll_seconds,
            on_error=_log_unless_transient,
        )

    def wake(self) -> None:
        self.worker.wake()

    def start(self) -> None:
        # Planning runs in a thread and holds the GIL for up to the switch interval (5 ms by default) each
        # time the event loop wants it back, so every consumer and HTTP step waited up to 5 ms while a plan
        # ran (the convoy effect). A shorter interval hands the loop the GIL sooner; planning barely slows.
        sys.setswitchinterval(PLANNING_SWITCH_INTERVAL)
        self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()

    async def _planning_pass(self) -> NextRun:
        # Busy: at once. Otherwise when the oldest request falls due, if that is before the next poll.
        return RUN_AGAIN if await self.run_once() else self._next_due_in

    async def run_once(self) -> bool:
        """Plan at most one due district and expire due invitations; True when there may be more to do."""
        settings = self.service.settings
        now = datetime.now(UTC)
        if self._last_replan is None or now - self._last_replan > timedelta(
            seconds=settings.replan_interval_seconds
        ):
            await self.request_all()
            self._last_replan = now
            self._settled.clear()  # the periodic re-plan searches every district in full
        async with self.service.transaction() as uow:
            await expire_invitations(
                uow.session,
                uow.outbox,
                now=now,
                as_of=self.today(),
                rules=self.rules,
                timing=self.timing,
            )
            await start_due_groups(
                uow.session, uow.outbox, now=now, as_of=self.today(), rules=self.rules, timing=self.timing
            )
            # Votes on newcomers whose deadline passed are decided by those who voted.
            await decide_due_requests(
                uow.session,
                uow.outbox,
                now=now,
                as_of=self.today(),
                rules=self.rules,
                timing=self.timing,
            )
        return await self.plan_next_district(now)

    async def plan_next_district(self, now: datetime) -> bool:
        due_before = now - timedelta(seconds=self.service.settings.planning_debounce_seconds)
        # Claim the request in its own short transaction. Were it deleted in the planning transaction,
        # every registration of the district arriving meanwhile would wait (its new request conflicts with
        # the uncommitted delete) for as long as planning takes. Now it requests the next plan at once.
        # (A crash between claim and plan leaves the district to the re-plan of every district at start.)
        async with self.service.transaction() as uow:
            oldest = (await uow.session.execute(_OLDEST_REQUEST)).one_or_none()
            self._next_due_in = None
            if oldest is None:
                return False
            if oldest.requested_at > due_before:
                self._next_due_in = (oldest.requested_at - due_before).total_seconds()
                return False
            district = oldest.district
            await uow.session.execute(
                delete(planning_requests).where(planning_requests.c.district == district)
            )
        started = time.perf_counter()
        as_of = self.today()
        known = self._settled.pop(district, None)
        try:
            async with self.service.transaction() as uow:
                outcome = await plan_district(
                    uow.session,
                    uow.outbox,
                    district,
                    as_of=as_of,
                    rules=self.rules,
                    timing=self.timing,
                    settled=known[1] if known and known[0] == as_of else None,
                    policy=self.service.policy,
                )
        except BaseException:
            await self._request_again(district)
            raise
        if outcome is None:  # another replica is planning this district: ask for one more pass after it
            await self._request_again(district)
        if outcome is not None:
            self._settled[district] = (as_of, outcome.still_waiting)
            seconds = time.perf_counter() - started
            metrics.planning_latency.labels("transaction").observe(seconds)
            # The groups' events have left already (woken at commit), not after the pool is sampled.
            await self.sample_pool(district)
            log.info(
                "district planned",
                extra={
                    "district": district,
                    "groups_formed": outcome.groups_formed,
                    "waiting": outcome.waiting,
                    "seconds": round(seconds, 3),
                },
            )
        return True

    async def _request_again(self, district: str) -> None:
        """Put a claimed request back (planning failed or was busy elsewhere). Best effort: if even this
        fails, the periodic re-plan of every district (`replan_interval_seconds`) catches up."""
        with contextlib.suppress(Exception):
            async with self.service.transaction() as uow:
                await request_planning(uow.session, district)

    async def sample_pool(self, district: str) -> None:
        """People waiting and the longest wait, per region, for the dashboard and the long-wait alert."""
        async with self.service.sessions() as session:
            waiting, oldest = (
                await session.execute(
                    select(func.count(), func.min(pool.c.registered_at)).where(
                        pool.c.district == district, pool.c.status == "waiting"
                    )
                )
            ).one()
        metrics.pool_waiting.labels(district).set(waiting)
        longest = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        metrics.pool_longest_wait.labels(district).set(longest)

    async def request_all(self) -> None:
        async with self.service.transaction() as uow:
            districts = (
                (
                    await uow.session.execute(
                        select(pool.c.district).where(pool.c.status == "waiting").distinct()
                    )
                )
                .scalars()
                .all()
            )
            for district in districts:  # written at commit, sorted (see commands.planning.request_planning)
                await request_planning(uow.session, district)
