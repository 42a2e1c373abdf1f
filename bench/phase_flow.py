"""Phases 3 and 4, end to end and paced: registrations published to the intake (as fast as the broker takes
them, or at an offered rate) and followed through all four services to the invitation sent to the local
SMTP sink, with the services' peak memory and CPU on the way."""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from common import SERVICES, PhaseFailed, percentiles, say
from earliest import earliest_invitations
from flow_result import FlowResult, measure
from intake_client import publish_all
from machine_limits import sandbox
from population import external_registrations, load_venues_and_starters
from procfs import MemorySampler, server_pids
from prometheus_client.parser import text_string_to_metric_families
from report import print_stages
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from system import Running, running

from shared.messaging import Publisher

PROGRESS_SQL = """
SELECT
  (SELECT count(*) FROM registration.registrations) AS registered,
  (SELECT count(*) FROM registration.outbox WHERE event_type = 'registration.rejected.v1') AS rejected,
  (SELECT count(*) FROM registration.outbox WHERE state = 'pending') AS registration_pending,
  (SELECT count(*) FROM grouping.pool) AS pooled,
  (SELECT count(*) FROM grouping.planning_requests) AS planning,
  (SELECT count(*) FROM grouping.groups) AS formed,
  (SELECT count(*) FROM grouping.outbox WHERE state = 'pending') AS grouping_pending,
  (SELECT count(*) FROM calendar.groups) AS calendar_groups,
  (SELECT count(*) FROM calendar.groups WHERE status = 'scheduled') AS scheduled,
  (SELECT count(*) FROM calendar.groups WHERE status = 'failed') AS failed,
  (SELECT count(*) FROM calendar.outbox WHERE state = 'pending') AS calendar_pending,
  (SELECT count(*) FROM notifications.groups WHERE invitations_queued_at IS NOT NULL) AS invitation_groups,
  (SELECT count(*) FROM notifications.deliveries
    WHERE message_type = 'group_invitation' AND state = 'queued') AS invitations_queued,
  (SELECT count(*) FROM notifications.deliveries
    WHERE message_type = 'group_invitation' AND state = 'sent') AS invited,
  (SELECT count(*) FROM notifications.deliveries
    WHERE message_type = 'group_invitation' AND channel = 'none') AS invitations_waiting,
  (SELECT count(*) FROM notifications.deliveries
    WHERE message_type = 'registration_received' AND state = 'sent') AS receipts
"""


def planning_figures(grouping_url: str) -> dict[str, tuple[int, float]]:
    """How many district plans ran and how long they took on average, from grouping's /metrics."""
    try:
        exposition = httpx.get(f"{grouping_url}/metrics", timeout=5).text
    except httpx.HTTPError:
        return {}
    totals: dict[str, dict[str, float]] = {}
    for family in text_string_to_metric_families(exposition):
        if family.name != "selvhjelp_planning_seconds":
            continue
        for sample in family.samples:
            if sample.name.endswith(("_sum", "_count")):
                kind = sample.name.rsplit("_", 1)[1]
                totals.setdefault(sample.labels["part"], {})[kind] = sample.value
    return {
        part: (int(v["count"]), v["sum"] / v["count"]) for part, v in sorted(totals.items()) if v.get("count")
    }


def _upstream_done(p: Any, n: int) -> bool:
    """Everything before the invitations has settled: all registered, pooled, planned, scheduled."""
    return (
        p.registered + p.rejected >= n
        and p.registration_pending == 0
        and p.pooled >= p.registered
        and p.planning == 0
        and p.grouping_pending == 0
        and p.calendar_groups >= p.formed
        and p.scheduled + p.failed >= p.calendar_groups
        and p.calendar_pending == 0
        and p.invitations_queued == 0
        and p.invitations_waiting == 0  # every member invited, none left waiting for contact details
    )


async def queue_depths(management_url: str, vhost: str) -> dict[str, int]:
    """Messages ready or unacknowledged per queue (the management API's figures lag a few seconds)."""
    async with httpx.AsyncClient(base_url=management_url, auth=("guest", "guest"), timeout=10) as api:
        response = await api.get(f"/api/queues/{vhost}")
        response.raise_for_status()
    return {
        q["name"]: int(q.get("messages", 0) or 0) + int(q.get("messages_unacknowledged", 0) or 0)
        for q in response.json()
    }


def relay_retries(log_dir: Path) -> dict[str, int]:
    """How often each service's outbox relay had to retry a publish (from its log)."""
    counts = {}
    for service in SERVICES:
        path = log_dir / f"{service}.log"
        if path.exists():
            counts[service] = sum(
                "outbox publish failed" in line for line in path.read_text(errors="replace").splitlines()
            )
    return {service: count for service, count in counts.items() if count}


def _progress(label: str, p: Any, n: int, published: int) -> str:
    return (
        f"{label}: {p.invited:,}/{n:,} invited… (published {published:,}, registered {p.registered:,}, "
        f"in pool {p.pooled:,}, groups formed {p.formed:,} / scheduled {p.scheduled:,} / failed {p.failed:,}, "
        f"invitations queued {p.invitations_queued:,} / waiting for contact {p.invitations_waiting:,}, "
        f"receipts sent {p.receipts:,})"
    )


async def flow(
    servers, args, log_dir: Path, seed: int, n: int, *, rate: float | None, label: str
) -> FlowResult:
    """Publish `n` registrations (burst, or paced at `rate`/s) and follow them to the sent invitation."""
    async with sandbox(servers) as box:
        venue_count, starter_count = await load_venues_and_starters(box.database_url, n)
        say(f"{label}: {venue_count} venues and {starter_count} starters; starting the services")
        engine = create_async_engine(box.database_url, pool_size=2)
        published: dict[uuid.UUID, float] = {}
        logs = log_dir / label
        try:
            with running(box, SERVICES, logs, sinks=True) as system:
                pids = {s: p.pid for s, p in system.processes.items() if s != "sinks"}
                # The local SMTP/SMS sinks stand in for the mail provider but use this machine's CPU too.
                others = await server_pids(engine) | {"sinks": [system.processes["sinks"].pid]}
                with MemorySampler(pids, others) as memory:
                    items = external_registrations(n, seed)
                    publisher = Publisher(box.rabbitmq_url)
                    await publisher.connect()
                    say(f"{label}: publishing {n:,} registrations" + (f" at {rate:g}/s" if rate else ""))
                    publishing = asyncio.create_task(
                        publish_all(publisher, items, published, rate=rate, label=label)
                    )
                    watch = Watch(engine, system, servers.management_url, box.vhost, n, label)
                    failure: PhaseFailed | None = None
                    try:
                        progress, problems = await watch.follow(publishing, published, args)
                        offered = await publishing
                    except PhaseFailed as error:
                        failure, progress, problems = error, watch.last, [str(error)]
                        offered = math.nan
                    finally:
                        if not publishing.done():
                            publishing.cancel()
                            with contextlib.suppress(BaseException):
                                await publishing
                        await publisher.close()
                    if progress is None:
                        raise failure or PhaseFailed(f"{label}: no progress seen")
                    result = await measure(engine, published, n, offered, progress)
                    if rate is not None:  # quadratic in a district's people: fine for a paced run
                        result.earliest = percentiles(
                            [
                                seconds
                                for person, seconds in earliest_invitations(items, published).items()
                                if person in result.invited_ids
                            ]
                        )
                    result.problems = problems
                    result.planning = planning_figures(system.urls["grouping"])
                    result.dead_lettered = {
                        name: count
                        for name, count in (await queue_depths(servers.management_url, box.vhost)).items()
                        if name.endswith(".dlq") and count
                    }
                result.peak_mb = memory.peak_mb()
                result.cpu_seconds = memory.cpu
            result.relay_retries = relay_retries(logs)
            if failure is not None:
                print_stages(f"{label} (INCOMPLETE: figures of those invited so far)", result)
                raise failure
        finally:
            await engine.dispose()
    return result


class Watch:
    """Polls the databases (and the broker's queues) until a flow is done, has settled short of done,
    stalls or runs out of time."""

    def __init__(self, engine, system: Running, management_url: str, vhost: str, n: int, label: str):
        self.engine, self.system, self.n, self.label = engine, system, n, label
        self.management_url, self.vhost = management_url, vhost
        self.last: Any = None

    def line(self, p: Any, published: int) -> str:
        return _progress(self.label, p, self.n, published)

    async def follow(self, publishing: asyncio.Task, published: dict, args) -> tuple[Any, list[str]]:
        label, n = self.label, self.n
        deadline = time.monotonic() + args.timeout
        last_change, last_report, last_seen = time.monotonic(), 0.0, None
        while True:
            await asyncio.sleep(1.0)
            self.system.check_alive()
            if publishing.done() and publishing.exception():
                raise PhaseFailed(f"{label}: publishing failed: {publishing.exception()!r}")
            async with self.engine.connect() as c:
                p = (await c.execute(text(PROGRESS_SQL))).one()
            self.last = p
            now = time.monotonic()
            if tuple(p) != last_seen:
                last_seen, last_change = tuple(p), now
            upstream = publishing.done() and _upstream_done(p, n)
            if upstream and p.invitation_groups >= p.scheduled:
                say(self.line(p, len(published)) + " done")
                return p, []
            if upstream and now - last_change > 15:
                # Nothing moves any more: if the queues are empty too, some groups will never be invited.
                depths = await queue_depths(self.management_url, self.vhost)
                if not any(count for name, count in depths.items() if not name.endswith(".dlq")):
                    dead = {name: count for name, count in depths.items() if count}
                    problem = (
                        f"{label}: {p.scheduled - p.invitation_groups} scheduled group(s) never got their "
                        f"invitations, {p.invitations_waiting} invitation(s) still wait for contact details; "
                        f"dead-lettered: {dead or 'nothing'}"
                    )
                    say(self.line(p, len(published)) + " settled — " + problem)
                    return p, [problem]
            if now - last_report >= 5:
                say(self.line(p, len(published)))
                last_report = now
            if now > deadline:
                raise PhaseFailed(
                    f"{label}: only {p.invited:,}/{n:,} invited after {args.timeout:.0f} s — "
                    + self.line(p, len(published))
                )
            if now - last_change > args.stall:
                raise PhaseFailed(
                    f"{label}: no progress for {args.stall:.0f} s — " + self.line(p, len(published))
                )
