"""Tells waiting people, once a day, what would get them a group sooner (`nudges.py` decides what).

Each district's waiting pool is checked under the district's own advisory lock (one replica at a time), and
`participant.waiting_options_changed.v1` is published only for a person whose options changed, or once when they
have waited `nudge_after_days` (notifications then send one message). People no longer waiting lose their
row, so someone back in the pool is told afresh.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert

from shared.contracts import WaitingOptions
from shared.messaging.errors import is_transient
from shared.worker import NextRun, PollingWorker

from .commands.common import person_from_row, stage
from .models import pool, waiting_options
from .nudges import options_for_pool
from .queries import waiting_people

if TYPE_CHECKING:
    from .app import GroupingService

log = logging.getLogger("selvhjelp.grouping.nudging")


async def _lock(session, district: str) -> bool:
    key = f"grouping:nudges:{district}"
    return bool(await session.scalar(text("SELECT pg_try_advisory_xact_lock(hashtext(:key))"), {"key": key}))


def _changes(
    rows: list[Any], options: dict[str, list[dict[str, Any]]], stored: dict[Any, Any], as_of: date, after: int
) -> list[WaitingOptions]:
    """What to publish: new or changed options, and the first time someone has waited long enough."""
    events = []
    for row in rows:
        found = options[str(row.participant_id)]
        waited = max((as_of - row.registered_at.date()).days, 0)
        nudge = bool(found) and waited >= after
        before = stored.get(row.participant_id)
        if before is None and not found:
            continue
        if before is not None and before.options == found and (before.nudge or not nudge):
            continue
        events.append(
            WaitingOptions(participant_id=row.participant_id, waited_days=waited, options=found, nudge=nudge)
        )
    return events


async def publish_waiting_options(service: GroupingService, district: str, as_of: date) -> int:
    """One district's pass; the number of people told. Skipped (0) while another replica does it."""
    async with service.transaction() as uow:
        session = uow.session
        if not await _lock(session, district):
            return 0
        rows = await waiting_people(session, district)
        people = [person_from_row(row) for row in rows]
        # Seconds of pure work for a large pool: off the event loop, as planning is.
        options = await asyncio.to_thread(options_for_pool, people, service.rules, as_of)
        ids = [row.participant_id for row in rows]
        stored = {
            row.participant_id: row
            for row in await session.execute(
                select(waiting_options).where(waiting_options.c.participant_id.in_(ids))
            )
        }
        events = _changes(rows, options, stored, as_of, service.settings.nudge_after_days)
        for event in events:
            nudged = event.nudge or bool(getattr(stored.get(event.participant_id), "nudge", False))
            values = {"options": event.options, "nudge": nudged, "published_at": uow.now()}
            await session.execute(
                insert(waiting_options)
                .values(participant_id=event.participant_id, **values)
                .on_conflict_do_update(index_elements=[waiting_options.c.participant_id], set_=values)
            )
            await stage(session, uow.outbox, event)
        return len(events)


async def forget_the_no_longer_waiting(service: GroupingService) -> None:
    async with service.transaction() as uow:
        still_waiting = select(pool.c.participant_id).where(pool.c.status == "waiting")
        await uow.session.execute(
            delete(waiting_options).where(waiting_options.c.participant_id.not_in(still_waiting))
        )


async def run_daily_pass(service: GroupingService, as_of: date) -> int:
    """Every district with people waiting; the number of people told."""
    await forget_the_no_longer_waiting(service)
    async with service.sessions() as session:
        districts = list(
            (
                await session.execute(select(pool.c.district).where(pool.c.status == "waiting").distinct())
            ).scalars()
        )
    told = 0
    for district in sorted(districts):
        told += await publish_waiting_options(service, district, as_of)
    return told


class Nudger:
    """The background job: a pass at start and every `nudge_interval_seconds` (a day by default). A pass
    publishes only what changed, so a restart or a second replica costs work, not messages."""

    def __init__(self, service: GroupingService) -> None:
        self.service = service
        self.worker = PollingWorker(
            "grouping-nudges",
            self._pass,
            poll_seconds=service.settings.nudge_interval_seconds,
            on_error=_log_unless_transient,
        )

    async def _pass(self) -> NextRun:
        await run_daily_pass(self.service, self.service.today())
        return None

    def start(self) -> None:
        self.worker.start()

    async def stop(self) -> None:
        await self.worker.stop()


def _log_unless_transient(error: Exception) -> None:
    if not is_transient(error):
        log.error("waiting options pass failed", exc_info=error)
