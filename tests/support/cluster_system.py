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
SLOT_CHOICES = (["tue_evening"], ["wed_evening"], ["tue_evening", "thu_evening"])
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
    """Venues open all week in each town and starters in each district, enough for every group."""
    hours = hours_to_json(parse_hours_text("mon-sun 09:00-22:00"))
    count = math.ceil(registrations / len(TOWNS) / 30) + 3
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
    groups: int = 0
    unscheduled: int = 0
    dead_letters: int = 0
    outbox_pending: int = 0
    publish_retries: int = 0
    recovery_seconds: float | None = None
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
            f"  recovery {recovery}  longest not-ready {self.not_ready_seconds:.1f} s"
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
    result.mails_twice = mails_twice(mail_dir)
    async with httpx.AsyncClient(base_url=management_url, auth=("guest", "guest"), timeout=10) as api:
        queues = (await api.get("/api/queues/%2F", params={"columns": "name,messages"})).json()
    result.dead_letters = sum(int(q.get("messages") or 0) for q in queues if q["name"].endswith(".dlq"))
    return result


def mails_twice(mail_dir: Path) -> int:
    """The same message (recipient and subject) received more than once by the SMTP sink."""
    seen: Counter[tuple[str, str]] = Counter()
    parser = BytesHeaderParser()
    for path in mail_dir.glob("*.eml"):
        with path.open("rb") as handle:
            headers = parser.parse(handle)
        if "starter" in str(headers.get("To", "")):
            continue  # a starter gets one message per group it starts, alike by design
        seen[(str(headers.get("To", "")), str(headers.get("Subject", "")))] += 1
    return sum(1 for count in seen.values() if count > 1)


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
