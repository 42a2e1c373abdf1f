"""The cluster tier's system: a RabbitMQ cluster of three nodes and a PostgreSQL primary with a synchronous
standby (shared/local_cluster.py), migrated, with the four services running as two replicas each (real
processes) on multi-host broker and database URLs, and the local SMTP/SMS sinks; plus the outside
publisher of bursts and the outcome checks each fault is judged by."""

from __future__ import annotations

import asyncio
import contextlib
import math
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.calendar.models import starters, venues
from services.calendar.registry import hours_to_json, parse_hours_text
from shared.devrun import answers_ok
from shared.devsystem import free_port, start_service
from shared.local_cluster import PostgresPair, RabbitCluster
from shared.messaging import INTAKE_EXCHANGE, Publisher
from shared.messaging.topology import SERVICES
from shared.reference import get_municipality
from shared.sample import registration_body

REPLICAS = 2
TOWNS = ("0301", "1804")  # Oslo and Bodø: two district offices
# One weekday evening each, spread evenly: every group then finds a venue (see load_venues_and_starters).
SLOT_CHOICES = tuple([f"{day}_evening"] for day in ("mon", "tue", "wed", "thu", "fri"))
TOPICS = ("grief", "anxiety", "loneliness")


@dataclass
class ClusterSystem:
    rabbit: RabbitCluster
    postgres: PostgresPair
    rabbitmq_url: str
    database_url: str  # the owner's, both servers
    log_dir: Path
    mail_dir: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)

    def start_services(self, timeout: float = 240) -> None:
        for service in SERVICES:
            for replica in range(1, REPLICAS + 1):
                name, port = f"{service}-{replica}", free_port()
                self.urls[name] = f"http://127.0.0.1:{port}"
                self.processes[name] = start_service(service, self.env, self.log_dir / f"{name}.log", port)
        deadline = time.monotonic() + timeout
        pending = set(self.urls)
        while pending and time.monotonic() < deadline:
            for name in list(pending):
                if self.processes[name].poll() is not None:
                    log = (self.log_dir / f"{name}.log").read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"{name} exited: {log}")
                if answers_ok(f"{self.urls[name]}/health/ready", timeout=3):
                    pending.discard(name)
            time.sleep(0.5)
        if pending:
            raise RuntimeError(f"not ready within {timeout:.0f} s: {sorted(pending)}")

    def not_ready(self) -> list[str]:
        return [name for name, url in self.urls.items() if not answers_ok(f"{url}/health/ready", timeout=2)]

    def stop_services(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def start_sinks(run_dir: Path) -> tuple[subprocess.Popen, int, int]:
    smtp, sms = free_port(), free_port()
    log = open(run_dir / "sinks.log", "ab")  # noqa: SIM115 - the process owns it until it ends
    process = subprocess.Popen(
        [sys.executable, "-m", "shared.cli", "notifications", "sinks"]
        + ["--smtp-port", str(smtp), "--sms-port", str(sms)]
        + ["--mail-dir", str(run_dir / "mail"), "--sms-dir", str(run_dir / "sms")],
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    return process, smtp, sms


async def load_venues_and_starters(engine: AsyncEngine, registrations: int) -> None:
    """Venues open all week in each town and starters in each district, enough for every group: a venue
    holds one group an evening, and a town's people of one evening make at most a quarter as many groups
    (groups of 4 or more). Short of that, groups fail with `no_venue_free`, which is no fault's doing."""
    hours = hours_to_json(parse_hours_text("mon-sun 09:00-22:00"))
    count = math.ceil(registrations / len(TOWNS) / len(SLOT_CHOICES) / 4) + 3
    venue_rows, starter_rows = [], []
    for number in TOWNS:
        town = get_municipality(number)
        assert town is not None
        venue_rows += [
            {
                "id": uuid.uuid4(),
                "municipality": number,
                "district": town.district,
                "name": f"Cluster venue {k} ({town.name})",
                "address": f"Klyngegata {k}",
                "kind": "library",
                "capacity": 12,
                "accessible": True,
                "opening_hours": hours,
                "blackout_dates": [],
            }
            for k in range(count)
        ]
        starter_rows += [
            {
                "id": uuid.uuid4(),
                "district": town.district,
                "first_name": f"Starter{k}",
                "email": f"starter{k}.{number}@example.org",
                "availability": hours,
            }
            for k in range(count)
        ]
    async with engine.begin() as connection:
        await connection.execute(insert(venues), venue_rows)
        await connection.execute(insert(starters), starter_rows)


def burst_envelopes(label: str, n: int, today: date) -> list[dict[str, Any]]:
    items = []
    for k in range(n):
        data = registration_body(
            participant={"name": f"Deltaker{k} Klynge", "email": f"{label}-{k}@example.org"},
            birth_date=(today - timedelta(days=365 * (30 + k % 30) + 40)).isoformat(),
            gender=("female", "male")[k % 2],
            municipality=TOWNS[k % len(TOWNS)],
            topic=TOPICS[(k // 2) % len(TOPICS)],
            availability=SLOT_CHOICES[k % len(SLOT_CHOICES)],
            source="external",
            external_ref=f"{label}-{k:06d}",
        )
        items.append(
            {
                "event_id": str(uuid.uuid4()),
                "event_type": "registration.submitted.v1",
                "schema_version": 1,
                "occurred_at": datetime.now(UTC).isoformat(),
                "correlation_id": str(uuid.uuid4()),
                "source": "klynge-kommune",
                "data": data,
            }
        )
    return items


async def publish_burst(url: str, envelopes: list[dict[str, Any]], deadline: float) -> int:
    """As another system would: each message until the broker confirms it, the same event again after a
    failed publish (the intake's inbox makes a second copy harmless). Returns the publishes retried."""
    publisher = Publisher(url)
    await publisher.connect()
    retries = 0

    async def one(envelope: dict[str, Any]) -> None:
        nonlocal retries
        while True:
            try:
                await publisher.publish(INTAKE_EXCHANGE, "registration.submitted.v1", envelope)
                return
            except Exception:
                if time.monotonic() > deadline:
                    raise
                retries += 1
                await asyncio.sleep(0.5)

    try:
        for start in range(0, len(envelopes), 100):
            await asyncio.gather(*(one(e) for e in envelopes[start : start + 100]))
    finally:
        await publisher.close()
    return retries


PROGRESS = text(
    """SELECT (SELECT count(*) FROM registration.registrations)
            + (SELECT count(*) FROM grouping.pool)
            + (SELECT count(*) FROM notifications.deliveries WHERE state = 'sent')"""
)


class FlowWatch:
    """Samples how far the flow has got (rows made downstream), to time when it moves again."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.samples: list[tuple[float, int]] = []
        self._task: asyncio.Task | None = None

    async def _run(self) -> None:
        while True:
            with contextlib.suppress(Exception):
                async with self.engine.connect() as connection:
                    value = await asyncio.wait_for(connection.scalar(PROGRESS), timeout=2)
                self.samples.append((time.monotonic(), int(value)))
            await asyncio.sleep(0.25)

    def __enter__(self) -> FlowWatch:
        self._task = asyncio.get_running_loop().create_task(self._run())
        return self

    def __exit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()

    def moved_again_after(self, fault_at: float, back_at: float) -> float | None:
        """Seconds from the fault to the first progress made after the system was whole again (the
        restarted or promoted server back): before that, a sample may still be a commit in flight."""
        before = [value for at, value in self.samples if at <= back_at]
        last = before[-1] if before else 0
        for at, value in self.samples:
            if at > back_at and value > last:
                return at - fault_at
        return None

    def longest_stall(self, start: float, end: float) -> float:
        """The longest time between two steps forward of the flow from `start` to `end` (a graceful
        stop may drain for a minute while the flow goes on: this says whether it did)."""
        moves = [start]
        previous = None
        for at, value in self.samples:
            if previous is not None and value > previous and start < at <= end:
                moves.append(at)
            previous = value
        if len(moves) == 1:
            return end - start
        # Not the time after the last step: by then the burst may simply be done.
        return max(b - a for a, b in zip(moves, moves[1:], strict=False))


@dataclass
class Outcome:
    label: str
    published: int
    registered: int = 0
    duplicates: int = 0
    lost: int = 0
    placed_twice: int = 0
    sent_twice: int = 0
    mails_twice: int = 0
    mails_repeated: int = 0  # one delivery sent again with the same Message-ID (at-least-once, by design)
    groups: int = 0
    unscheduled: int = 0
    dead_letters: int = 0
    outbox_pending: int = 0
    publish_retries: int = 0
    recovery_seconds: float | None = None
    fault_seconds: float = 0.0
    longest_stall_seconds: float = 0.0
    not_ready_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def whole(self) -> bool:
        return (
            self.lost == self.duplicates == self.placed_twice == self.sent_twice == self.mails_twice == 0
            and self.unscheduled == self.dead_letters == self.outbox_pending == 0
            and self.registered == self.published
        )

    def line(self) -> str:
        recovery = f"{self.recovery_seconds:.1f} s" if self.recovery_seconds is not None else "n/a"
        return (
            f"{self.label:<28} registrations {self.registered:>6,}/{self.published:<6,} duplicates {self.duplicates}"
            f"  lost {self.lost}  placed twice {self.placed_twice}  sent twice {self.sent_twice + self.mails_twice}"
            f"  groups {self.groups} (unscheduled {self.unscheduled})  DLQ {self.dead_letters}"
            f"  outbox {self.outbox_pending}  publish retries {self.publish_retries}"
            f"  mails repeated (same Message-ID) {self.mails_repeated}"
            f"  fault took {self.fault_seconds:.1f} s  flow moved again after {recovery}"
            f"  longest stall {self.longest_stall_seconds:.1f} s"
            f"  longest not-ready {self.not_ready_seconds:.1f} s"
        )


async def settled(engine: AsyncEngine, label: str, published: int) -> bool:
    """The burst's people are all registered and nothing is pending anywhere downstream."""
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                text(
                    """SELECT
  (SELECT count(*) FROM registration.registrations WHERE external_ref LIKE :prefix),
  (SELECT count(*) FROM registration.outbox WHERE state = 'pending')
  + (SELECT count(*) FROM grouping.outbox WHERE state = 'pending')
  + (SELECT count(*) FROM calendar.outbox WHERE state = 'pending')
  + (SELECT count(*) FROM notifications.outbox WHERE state = 'pending'),
  (SELECT count(*) FROM grouping.planning_requests),
  (SELECT count(*) FROM grouping.groups) - (SELECT count(*) FROM calendar.groups
     WHERE status IN ('scheduled', 'failed')),
  (SELECT count(*) FROM notifications.deliveries WHERE state = 'queued')"""
                ),
                {"prefix": f"{label}-%"},
            )
        ).one()
    return row[0] >= published and row[1] == row[2] == row[3] == row[4] == 0


async def outcome(
    engine: AsyncEngine, management_url: str, mail_dir: Path, label: str, published: int
) -> Outcome:
    result = Outcome(label, published)
    async with engine.connect() as connection:

        async def one(sql: str, **params: Any) -> int:
            return int(await connection.scalar(text(sql), params) or 0)

        prefix = f"{label}-%"
        result.registered = await one(
            "SELECT count(DISTINCT external_ref) FROM registration.registrations WHERE external_ref LIKE :p",
            p=prefix,
        )
        result.duplicates = (
            await one("SELECT count(*) FROM registration.registrations WHERE external_ref LIKE :p", p=prefix)
            - result.registered
        )
        result.lost = published - result.registered
        result.placed_twice = await one(
            "SELECT count(*) FROM (SELECT participant_id FROM grouping.memberships"
            " GROUP BY participant_id HAVING count(*) > 1) twice"
        )
        result.sent_twice = await one(
            "SELECT count(*) FROM (SELECT 1 FROM notifications.deliveries WHERE state = 'sent'"
            " GROUP BY recipient_id, message_type, group_id HAVING count(*) > 1) twice"
        )
        result.groups = await one("SELECT count(*) FROM grouping.groups")
        result.unscheduled = result.groups - await one(
            "SELECT count(*) FROM calendar.groups WHERE status = 'scheduled'"
        )
        result.outbox_pending = sum(
            [await one(f"SELECT count(*) FROM {s}.outbox WHERE state = 'pending'") for s in SERVICES]
        )
    result.mails_twice, result.mails_repeated = mails_twice(mail_dir)
    async with httpx.AsyncClient(base_url=management_url, auth=("guest", "guest"), timeout=10) as api:
        queues = (await api.get("/api/queues/%2F", params={"columns": "name,messages"})).json()
    result.dead_letters = sum(int(q.get("messages") or 0) for q in queues if q["name"].endswith(".dlq"))
    return result


def mails_twice(mail_dir: Path) -> tuple[int, int]:
    """Messages to one person with one subject but different Message-IDs (two deliveries of one message:
    a fault), and copies of one delivery (same Message-ID: sent again because the database lost the
    "sent" mark, as channels.message_id allows for)."""
    deliveries: dict[tuple[str, str], set[str]] = {}
    copies: Counter[str] = Counter()
    parser = BytesHeaderParser()
    for path in mail_dir.glob("*.eml"):
        with path.open("rb") as handle:
            headers = parser.parse(handle)
        recipient, message_id = str(headers.get("To", "")), str(headers.get("Message-ID", ""))
        copies[message_id] += 1
        if "starter" in recipient:
            continue  # a starter gets one message per group it starts, alike by design
        deliveries.setdefault((recipient, str(headers.get("Subject", ""))), set()).add(message_id)
    twice = sum(1 for ids in deliveries.values() if len(ids) > 1)
    return twice, sum(count - 1 for count in copies.values() if count > 1)


def busiest_queue_leader(management_url: str) -> tuple[str, str]:
    """The queue with the most messages waiting or in flight, and the node leading it."""
    queues = httpx.get(
        f"{management_url}/api/queues/%2F",
        params={"columns": "name,messages,leader,type"},
        auth=("guest", "guest"),
        timeout=10,
    ).json()
    quorum = [q for q in queues if q.get("type") == "quorum" and q.get("leader")]
    busiest = max(quorum, key=lambda q: int(q.get("messages") or 0))
    return busiest["name"], busiest["leader"]
