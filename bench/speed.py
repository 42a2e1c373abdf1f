"""The speed proofs (issue #9): the whole system, four services as separate processes on this machine's
RabbitMQ and PostgreSQL, against limits measured in the same run on the same servers.

    .venv/bin/python bench/speed.py            # 3 runs: 10,000 registrations end to end, 50/s paced for 30 s
    .venv/bin/python bench/speed.py --quick    # 1 run, 2,000 end to end, 50/s for 10 s (development)

Each run, each phase in its own fresh database (migrated) and vhost, dropped afterwards:

1. limits: a raw AMQP hop (aio-pika, one process: persistent publish with confirms → quorum queue →
   consume with ack) and raw PostgreSQL commits (single-row INSERT + COMMIT, one process, on one connection
   and on as many connections as the HTTP intake has requests in flight), and raw SMTP (aiosmtplib over 5
   kept-open sessions to the local SMTP sink, both in one process): the ceiling of the invitations.
2. intake: only the registration service runs. Registrations accepted over HTTP (POST
   /api/v1/registrations, 202 after commit, N requests in flight) and over AMQP (registration.submitted.v1
   envelopes published to the intake exchange, counted when their row is committed).
3. end to end: registrations published to the intake as another system would, as fast as the broker takes
   them, until every group formed is scheduled (or failed) and every invitation is recorded as sent to the
   local SMTP sink. Latency per invited person: invitation `sent_at` − the moment its registration was
   published. The planner forms groups of 4-8 compatible people, so not everyone is invited.
4. paced: the same at an offered load (50 registrations/s). Also the earliest moment anyone could have
   invited the same people: when the third person each could share a group with had registered
   (bench/earliest.py), a lower bound for any planner.

Prints progress to stderr, then per run where the time of an invited person went, and at the end one
table: each figure's median over the runs, its limit, the ratio and the target.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from random import Random
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import create_async_engine

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR.parent))

from earliest import earliest_invitations, service_participant_id  # noqa: E402
from machine_limits import Sandbox, amqp_floor, raw_broker_hop, raw_db_commit, raw_smtp, sandbox  # noqa: E402

from services.calendar.models import starters, venues  # noqa: E402
from services.calendar.registry import hours_to_json, parse_hours_text  # noqa: E402
from shared.contracts.vocabulary import SLOTS  # noqa: E402
from shared.devrun import answers_ok  # noqa: E402
from shared.local_servers import LocalPorts, ensure_local_servers, rabbitmq_pids  # noqa: E402
from shared.messaging import INTAKE_EXCHANGE, Publisher  # noqa: E402
from shared.reference import get_municipality  # noqa: E402
from shared.settings import Settings  # noqa: E402
from tests.support.factories import registration_body  # noqa: E402
from tests.support.private_servers import free_port  # noqa: E402
from tests.support.system import service_env, start_service  # noqa: E402

SERVICES = ("registration", "grouping", "calendar", "notifications")

# What the services run with here (everything else is the production default of shared/settings.py).
BENCH_ENV = {
    "LOG_LEVEL": "WARNING",
    "LOG_JSON": "true",
    "PLANNING_DEBOUNCE_SECONDS": "0.5",
    "PLANNER_POLL_SECONDS": "0.2",
    "OUTBOX_POLL_SECONDS": "0.1",
    "NOTIFICATION_POLL_SECONDS": "0.2",
    "CALENDAR_POLL_SECONDS": "0.5",
    # The intake is measured, not its abuse limits (thousands of requests from one client).
    "REGISTRATION_RATE_LIMIT_PER_CLIENT": "",
    "REGISTRATION_RATE_LIMIT_PER_CONTACT": "",
}

TARGETS = {"intake": 0.5, "e2e": 0.2, "p99": 2.0, "rss_mb": 250.0}


def code_version() -> str:
    """The commit the services ran from, and whether shared/ or services/ had uncommitted changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "shared", "services"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" with uncommitted changes in shared/ or services/" if dirty else "")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class PhaseFailed(RuntimeError):
    """A phase that did not finish in its time; the message says how far it got."""


# --- synthetic registrations ---------------------------------------------------------------------------
# The larger towns of every district office (population in thousands, for the weights). Registrations
# come from these towns only, and each gets venues and its district starters, so a group that forms can
# be scheduled; sizes follow the number of registrations.
TOWNS = {
    "0301": 717,  # Oslo
    "3201": 131,  # Bærum
    "3107": 85,  # Fredrikstad
    "4601": 291,  # Bergen
    "1103": 149,  # Stavanger
    "1108": 83,  # Sandnes
    "5001": 214,  # Trondheim
    "1508": 60,  # Ålesund
    "5501": 78,  # Tromsø
    "1804": 53,  # Bodø
    "4204": 116,  # Kristiansand
    "3403": 33,  # Hamar
    "3405": 29,  # Lillehammer
    "3301": 103,  # Drammen
    "3907": 66,  # Sandefjord
    "4003": 56,  # Skien
}
TOPICS = {
    "anxiety": 15,
    "depression": 13,
    "grief": 12,
    "loneliness": 10,
    "relatives": 10,
    "addiction": 7,
    "chronic_illness": 8,
    "cancer": 5,
    "life_crisis": 8,
    "self_image": 5,
    "violence": 3,
    "other": 4,
}
SLOT_WEIGHTS = [
    (3.0 if slot.endswith("evening") else 1.0) * (0.4 if slot.startswith(("sat", "sun")) else 1.0)
    for slot in SLOTS
]
OPEN_HOURS = "mon-sun 09:00-22:00"


def registration(rng: Random, index: int, today: date, **overrides: Any) -> dict[str, Any]:
    """One synthetic adult from one of TOWNS (the distributions of bench/grouping.py)."""
    topic = rng.choices(list(TOPICS), list(TOPICS.values()))[0]
    age = min(85, max(20, round(rng.triangular(18, 85, 42))))
    slots: set[str] = set()
    for _ in range(rng.choice((1, 2, 2, 3, 3, 4, 5))):
        slots.add(rng.choices(SLOTS, SLOT_WEIGHTS)[0])
    return registration_body(
        participant={"name": f"Deltaker{index} Bench", "email": f"deltaker{index}@example.org"},
        birth_date=(today - timedelta(days=round(365.25 * age) + rng.randint(1, 360))).isoformat(),
        gender=rng.choices(("female", "male", "other", "unspecified"), (60, 37, 2, 1))[0],
        municipality=rng.choices(list(TOWNS), list(TOWNS.values()))[0],
        topic=topic,
        composition=rng.choices(("same_topic", "cross_topic", "any"), (30, 20, 50))[0],
        format=rng.choices(("in_person", "digital", "any"), (45, 15, 40))[0],
        availability=sorted(slots, key=SLOTS.index),
        single_gender=rng.random() < (0.4 if topic == "violence" else 0.06),
        **overrides,
    )


def envelope(data: dict[str, Any], occurred_at: datetime) -> dict[str, Any]:
    return {
        "event_id": str(uuid.uuid4()),
        "event_type": "registration.submitted.v1",
        "schema_version": 1,
        "occurred_at": occurred_at.isoformat(),
        "correlation_id": str(uuid.uuid4()),
        "source": "bench-kommune",
        "data": data,
    }


def external_registrations(n: int, seed: int) -> list[dict[str, Any]]:
    rng, today, run = Random(seed), date.today(), uuid.uuid4().hex[:6]
    return [
        registration(rng, k, today, source="external", external_ref=f"bench-{run}-{k:06d}") for k in range(n)
    ]


async def load_venues_and_starters(database_url: str, registrations: int) -> tuple[int, int]:
    """Venues in every town and starters in every district, open all week, enough for the groups that
    `registrations` people can form (a venue takes 3 daytime and 2 evening groups a weekday)."""
    total = sum(TOWNS.values())
    venue_rows, starter_rows = [], []
    per_district: dict[str, int] = {}
    hours = hours_to_json(parse_hours_text(OPEN_HOURS))
    for number, weight in TOWNS.items():
        town = get_municipality(number)
        assert town is not None, number
        count = math.ceil(registrations * weight / total / 60) + 2
        per_district[town.district] = per_district.get(town.district, 0) + count
        venue_rows += [
            {
                "id": uuid.uuid4(),
                "municipality": number,
                "district": town.district,
                "name": f"Bench venue {k} ({town.name})",
                "address": f"Benchgata {k}",
                "kind": "library",
                "capacity": 12,
                "accessible": True,
                "opening_hours": hours,
                "blackout_dates": [],
            }
            for k in range(count)
        ]
    for district, count in per_district.items():
        starter_rows += [
            {
                "id": uuid.uuid4(),
                "district": district,
                "first_name": f"Starter{k}",
                "email": f"starter{k}.{district}@example.org",
                "availability": hours,
            }
            for k in range(count)
        ]
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(insert(venues), venue_rows)
            await connection.execute(insert(starters), starter_rows)
    finally:
        await engine.dispose()
    return len(venue_rows), len(starter_rows)


# --- the services as processes, and their memory -------------------------------------------------------
def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _tree(pid: int) -> list[int]:
    """The process and its descendants (a planner pool, if any)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError, ValueError):
                pending += [int(child) for child in task.read_text().split()]
    return found


async def server_pids(engine) -> dict[str, list[int]]:
    """PostgreSQL's postmaster (the parent of our own backend) and RabbitMQ's processes, for CPU time."""
    found: dict[str, list[int]] = {"rabbitmq": rabbitmq_pids(LocalPorts().amqp)}
    with contextlib.suppress(Exception):
        async with engine.connect() as connection:
            backend = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        found["postgres"] = [_status_kb(backend, "PPid")]
    return {name: pids for name, pids in found.items() if pids and all(pids)}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (and its waited-for children) so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


class MemorySampler:
    """Peak resident memory of each service's process tree: sampled every half second, and VmHWM (the
    kernel's own peak) of the main process at the end, whichever is higher. Also the CPU time each used."""

    def __init__(self, pids: dict[str, int], servers: dict[str, list[int]] | None = None) -> None:
        self.pids = pids
        self.servers = servers or {}
        self.peak_kb = dict.fromkeys(pids, 0)
        self.cpu_start = self._cpu()
        self.cpu: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _cpu(self) -> dict[str, float]:
        used = {name: sum(_cpu_seconds(p) for p in _tree(pid)) for name, pid in self.pids.items()}
        for name, roots in self.servers.items():
            used[name] = sum(_cpu_seconds(p) for p in {p for root in roots for p in _tree(root)})
        return used

    def _sample(self) -> None:
        for name, pid in self.pids.items():
            rss = sum(_status_kb(p, "VmRSS") for p in _tree(pid))
            self.peak_kb[name] = max(self.peak_kb[name], rss, _status_kb(pid, "VmHWM"))

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sample()
        self.cpu = {name: seconds - self.cpu_start[name] for name, seconds in self._cpu().items()}
        self._stop.set()
        self._thread.join()

    def peak_mb(self) -> dict[str, float]:
        return {name: kb / 1024 for name, kb in self.peak_kb.items()}


@dataclass
class Running:
    urls: dict[str, str]
    processes: dict[str, subprocess.Popen]
    log_dir: Path
    smtp_port: int | None = None

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                log = (self.log_dir / f"{name}.log").read_text(errors="replace")[-2000:]
                raise PhaseFailed(f"{name} exited with {process.returncode}: {log}")


@contextlib.contextmanager
def running(
    box: Sandbox, services: tuple[str, ...], log_dir: Path, *, sinks: bool = False
) -> Iterator[Running]:
    """Start `services` (and the local SMTP/SMS sinks) as processes like `selvhjelp <service> run`;
    stop them all afterwards."""
    settings = Settings(
        database_url=box.database_url, rabbitmq_url=box.rabbitmq_url, environment="development"
    )
    ports = {service: free_port() for service in services}
    urls = {service: f"http://127.0.0.1:{port}" for service, port in ports.items()}
    extra = dict(BENCH_ENV)
    processes: dict[str, subprocess.Popen] = {}
    smtp_port = None
    log_dir.mkdir(parents=True, exist_ok=True)
    try:
        if sinks:
            smtp_port, sms_port = free_port(), free_port()
            extra |= {
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(smtp_port),
                "SMS_GATEWAY_URL": f"http://127.0.0.1:{sms_port}/sms",
            }
            with open(log_dir / "sinks.log", "ab") as log:
                processes["sinks"] = subprocess.Popen(
                    [sys.executable, "-m", "shared.cli", "notifications", "sinks"]
                    + ["--smtp-port", str(smtp_port), "--sms-port", str(sms_port)]
                    + ["--mail-dir", str(log_dir / "mail"), "--sms-dir", str(log_dir / "sms")],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
        env = service_env(settings, urls, extra)
        for service in services:
            processes[service] = start_service(service, env, log_dir / f"{service}.log", ports[service])
        system = Running(urls, processes, log_dir, smtp_port)
        deadline = time.monotonic() + 120
        pending = set(services)
        while pending or (sinks and not _port_open(smtp_port or 0)):
            system.check_alive()
            if time.monotonic() > deadline:
                raise PhaseFailed(f"not ready after 120 s: {', '.join(sorted(pending)) or 'sinks'}")
            # 2 s: the machine is loaded while services start during a run
            pending = {s for s in pending if not answers_ok(f"{urls[s]}/health/ready", timeout=2)}
            time.sleep(0.3)
        yield system
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


# --- measuring -----------------------------------------------------------------------------------------
def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": math.nan, "p95": math.nan, "p99": math.nan}
    if len(values) == 1:
        return dict.fromkeys(("p50", "p95", "p99"), values[0])
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


async def wait_until(
    what: str,
    check: Callable[[], Any],
    *,
    timeout: float,
    every: float = 0.2,
    alive: Callable[[], None] | None = None,
) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if alive:
            alive()
        if time.monotonic() > deadline:
            raise PhaseFailed(f"{what}: not done after {timeout:.0f} s")
        await asyncio.sleep(every)


async def publish_all(
    publisher: Publisher,
    envelopes: list[dict[str, Any]],
    published: dict[uuid.UUID, float],
    *,
    rate: float | None = None,
    label: str = "",
) -> float:
    """Publish to the intake, as fast as confirms come back (in windows of 200) or at `rate` per second;
    note each participant's publish time. Returns the rate actually offered."""

    async def one(item: dict[str, Any]) -> None:
        now = time.time()
        published[service_participant_id("external", item["external_ref"])] = now
        body = envelope(item, datetime.fromtimestamp(now, UTC))
        await publisher.publish(INTAKE_EXCHANGE, "registration.submitted.v1", body)

    started = time.time()
    if rate is None:
        for chunk in range(0, len(envelopes), 200):
            await asyncio.gather(*(one(e) for e in envelopes[chunk : chunk + 200]))
    else:
        tasks = []
        for index, item in enumerate(envelopes):
            delay = started + index / rate - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(item)))
            if index and index % (int(rate) * 5) == 0:
                say(f"{label}: {index:,}/{len(envelopes):,} published")
        await asyncio.gather(*tasks)
    elapsed = max(published.values()) - started
    return len(envelopes) / elapsed if elapsed > 0 else math.inf


def post_request(port: int, path: str, body: dict[str, Any]) -> bytes:
    payload = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Status and body of one HTTP/1.1 response with a Content-Length (what uvicorn sends here)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return int(lines[0].split()[1]), await reader.readexactly(length)


class CpuPerOperation:
    """CPU-ms per operation of a limit, for RabbitMQ, PostgreSQL and this (the client's) process: the cost
    side of the limits, which says how many of them two cores could carry at once."""

    def __init__(self, servers: dict[str, list[int]]) -> None:
        self.servers = servers
        self.figures: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        used = {
            name: sum(_cpu_seconds(p) for p in {p for r in roots for p in _tree(r)})
            for name, roots in self.servers.items()
        }
        return used | {"client": time.process_time()}

    @contextlib.contextmanager
    def measure(self, key: str, operations: Callable[[], int]) -> Iterator[None]:
        before = self._now()
        yield
        after, n = self._now(), operations()
        for name, start in before.items():
            self.figures[f"{key}_cpu_{name}"] = (after[name] - start) * 1000 / n if n else math.nan


async def limits(servers, args) -> dict[str, float]:
    async with sandbox(servers, migrated=False) as box:
        engine = create_async_engine(box.database_url)
        try:
            cpu = CpuPerOperation(await server_pids(engine))
        finally:
            await engine.dispose()
        say(f"limits: raw AMQP hop, {args.hop_messages:,} messages")
        with cpu.measure("hop", lambda: args.hop_messages):
            hop = await raw_broker_hop(box.rabbitmq_url, args.hop_messages)
        say("limits: raw PostgreSQL commits")
        serial = await raw_db_commit(box.database_url, args.db_commits // 2, 1)
        with cpu.measure("dbC", lambda: args.db_commits):
            concurrent = await raw_db_commit(box.database_url, args.db_commits, args.concurrency)
        say("limits: AMQP floor of the intake (consume, ack, two confirmed publishes)")
        with cpu.measure("amqp_floor", lambda: args.hop_messages):
            floor = await amqp_floor(box.rabbitmq_url, args.hop_messages)
    say("limits: raw SMTP to the local sink")
    smtp = await raw_smtp(args.hop_messages // 2)
    figures = {"hop": hop, "db1": serial, "dbC": concurrent, "smtp": smtp, "amqp_floor": floor}
    say(
        "limits: CPU-ms per operation: "
        + ", ".join(f"{key} {value:.3f}" for key, value in sorted(cpu.figures.items()))
    )
    return figures | cpu.figures


async def post_all(
    port: int, bodies: list[dict[str, Any]], args, label: str
) -> tuple[float, float, list[str]]:
    """POST every body to /api/v1/registrations with `args.concurrency` requests in flight; the rate, the
    seconds and the answers other than 202. The requests are encoded before the clock starts and sent over
    keep-alive connections by a bare HTTP/1.1 client, so the CPU of this machine goes to the server."""
    requests = [post_request(port, "/api/v1/registrations", body) for body in bodies]
    failures: list[str] = []
    answered = 0

    async def worker(share: list[bytes]) -> None:
        nonlocal answered
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for request in share:
                writer.write(request)
                status, answer = await read_response(reader)
                if status != 202:
                    failures.append(f"{status} {answer[:200]!r}")
                answered += 1
                if answered % 1000 == 0:
                    say(f"{label}: {answered:,}/{len(requests):,} answered")
        finally:
            writer.close()

    c = args.concurrency
    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(worker(requests[k::c]) for k in range(c))), timeout=args.timeout)
    elapsed = time.perf_counter() - started
    return len(requests) / elapsed, elapsed, failures


def _start_http_floor(port: int, log_dir: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join((str(BENCH_DIR), str(BENCH_DIR.parent))))
    log_dir.mkdir(parents=True, exist_ok=True)
    with open(log_dir / "http_floor.log", "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "http_floor:app", "--port", str(port)]
            + ["--log-level", "warning", "--no-access-log"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )


async def http_floor(args, bodies: list[dict[str, Any]], log_dir: Path) -> float:
    """The same requests answered by FastAPI and uvicorn alone: the intake's route and model, no database
    (bench/http_floor.py), in a process of its own like the service."""
    port = free_port()
    server = _start_http_floor(port, log_dir)
    try:
        await wait_until("HTTP floor: server", lambda: _port_open_async(port), timeout=60, every=0.1)
        rate, _, failures = await post_all(port, bodies, args, "HTTP floor")
        if failures:
            raise PhaseFailed(f"HTTP floor: {len(failures)} requests not accepted, e.g. {failures[0]}")
        return rate
    finally:
        server.terminate()
        server.wait(timeout=30)


async def _port_open_async(port: int) -> bool:
    return _port_open(port)


async def intake(servers, args, log_dir: Path, seed: int) -> dict[str, float]:
    n = args.intake
    rng, today = Random(seed), date.today()
    say(f"intake: HTTP floor, {n:,} requests, {args.concurrency} in flight")
    floor = await http_floor(args, [registration(rng, k, today) for k in range(n)], log_dir / "intake")
    async with sandbox(servers) as box:
        engine = create_async_engine(box.database_url)
        try:
            with running(box, ("registration",), log_dir / "intake") as system:

                async def count(source: str) -> int:
                    async with engine.connect() as c:
                        q = "SELECT count(*) FROM registration.registrations WHERE source = :s"
                        return (await c.execute(text(q), {"s": source})).scalar_one()

                # HTTP: `concurrency` requests in flight, each answered 202 once its transaction committed.
                rng, today = Random(seed), date.today()
                bodies = [registration(rng, k, today) for k in range(n)]
                port = int(system.urls["registration"].rsplit(":", 1)[1])
                say(f"intake http: {n:,} registrations, {args.concurrency} in flight")
                service_pid = system.processes["registration"].pid
                cpu_service, cpu_client = _cpu_seconds(service_pid), time.process_time()
                http_rate, elapsed, failures = await post_all(port, bodies, args, "intake http")
                say(
                    f"intake http: {http_rate:.0f}/s; CPU over {elapsed:.1f} s: service "
                    f"{_cpu_seconds(service_pid) - cpu_service:.1f} s, "
                    f"this client {time.process_time() - cpu_client:.1f} s"
                )
                if failures:
                    raise PhaseFailed(
                        f"intake http: {len(failures)} requests not accepted, e.g. {failures[0]}"
                    )

                async def relayed() -> bool:
                    async with engine.connect() as c:
                        q = "SELECT count(*) FROM registration.outbox WHERE state = 'pending'"
                        return (await c.execute(text(q))).scalar_one() == 0

                await wait_until("intake http: outbox relay", relayed, timeout=args.timeout, every=0.5)

                # AMQP: the external system's path; a registration counts once its row committed.
                say(f"intake amqp: {n:,} registrations")
                cpu_service = _cpu_seconds(service_pid)
                publisher = Publisher(box.rabbitmq_url)
                await publisher.connect()
                published: dict[uuid.UUID, float] = {}
                try:
                    await publish_all(publisher, external_registrations(n, seed), published)
                finally:
                    await publisher.close()
                started_at = min(published.values())
                last_report = [0.0]

                async def all_in() -> bool:
                    got = await count("external")
                    if time.monotonic() - last_report[0] > 5:
                        say(f"intake amqp: {got:,}/{n:,} registered")
                        last_report[0] = time.monotonic()
                    return got >= n

                await wait_until(
                    "intake amqp", all_in, timeout=args.timeout, every=0.2, alive=system.check_alive
                )
                async with engine.connect() as c:
                    last = (
                        await c.execute(
                            text(
                                "SELECT extract(epoch FROM max(registered_at)) FROM registration.registrations "
                                "WHERE source = 'external'"
                            )
                        )
                    ).scalar_one()
                amqp_rate = n / (float(last) - started_at)
                say(
                    f"intake amqp: {amqp_rate:.0f}/s; service CPU "
                    f"{(_cpu_seconds(service_pid) - cpu_service) * 1000 / n:.2f} ms per registration"
                )
        finally:
            await engine.dispose()
    return {"http": http_rate, "amqp": amqp_rate, "http_floor": floor}


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

# One row per invited person: when each stage of their way was done (epoch seconds).
STAGES_SQL = """
WITH invited AS (
  SELECT recipient_id, group_id, min(sent_at) AS sent_at
  FROM notifications.deliveries
  WHERE message_type = 'group_invitation' AND state = 'sent'
  GROUP BY recipient_id, group_id
)
SELECT i.recipient_id AS participant_id, i.group_id,
  extract(epoch FROM r.registered_at) AS registered,
  extract(epoch FROM gi.processed_at) AS pooled,
  extract(epoch FROM g.formed_at) AS planning,
  extract(epoch FROM go.sent_at) AS formed,
  extract(epoch FROM cg.received_at) AS calendar,
  extract(epoch FROM cg.updated_at) AS scheduled,
  extract(epoch FROM co.sent_at) AS scheduled_out,
  extract(epoch FROM ni.processed_at) AS scheduled_in,
  extract(epoch FROM ng.invitations_queued_at) AS queued,
  extract(epoch FROM i.sent_at) AS sent
FROM invited i
LEFT JOIN registration.registrations r ON r.participant_id = i.recipient_id
LEFT JOIN registration.outbox ro ON ro.event_type = 'registration.accepted.v1'
  AND (ro.payload -> 'data' ->> 'participant_id')::uuid = i.recipient_id
LEFT JOIN grouping.inbox gi ON gi.event_id = ro.event_id
LEFT JOIN grouping.groups g ON g.group_id = i.group_id
LEFT JOIN grouping.outbox go ON go.event_type = 'group.formed.v1'
  AND (go.payload -> 'data' ->> 'group_id')::uuid = i.group_id
LEFT JOIN calendar.groups cg ON cg.group_id = i.group_id
LEFT JOIN calendar.outbox co ON co.event_type = 'meeting.scheduled.v1'
  AND (co.payload -> 'data' ->> 'group_id')::uuid = i.group_id
LEFT JOIN notifications.inbox ni ON ni.event_id = co.event_id
LEFT JOIN notifications.groups ng ON ng.group_id = i.group_id
"""

# (label, from column, to column); "published" is the bench's own clock.
STAGES = (
    ("intake: published → registered", "published", "registered"),
    ("→ grouping pool (relay, consumer)", "registered", "pooled"),
    ("in the pool until planned", "pooled", "planning"),
    ("planning → group.formed out", "planning", "formed"),
    ("→ calendar (consumer)", "formed", "calendar"),
    ("scheduling (venue, starter)", "calendar", "scheduled"),
    ("meeting.scheduled out (calendar relay)", "scheduled", "scheduled_out"),
    ("→ notifications (broker, consumer)", "scheduled_out", "scheduled_in"),
    ("→ invitations queued", "scheduled_in", "queued"),
    ("sending (sender queue, SMTP)", "queued", "sent"),
)


@dataclass
class FlowResult:
    registrations: int
    seconds: float
    rate: float
    offered: float
    invited: int
    groups: int
    scheduled: int
    failed: int
    latency: dict[str, float]
    invited_ids: set[uuid.UUID]
    after_group_complete: dict[str, float]
    stages: list[tuple[str, dict[str, float]]] = field(default_factory=list)
    stages_last: list[tuple[str, dict[str, float]]] = field(default_factory=list)
    # For the paced run: the same people's earliest possible invitation (bench/earliest.py), a lower bound.
    earliest: dict[str, float] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    dead_lettered: dict[str, int] = field(default_factory=dict)
    relay_retries: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # part of a district's plan -> (plans, mean seconds), from grouping's selvhjelp_planning_seconds
    planning: dict[str, tuple[int, float]] = field(default_factory=dict)


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
                    result = await _measure(engine, published, n, offered, progress)
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


async def _measure(
    engine, published: dict[uuid.UUID, float], n: int, offered: float, progress: Any
) -> FlowResult:
    async with engine.connect() as c:
        rows = (await c.execute(text(STAGES_SQL))).mappings().all()
        finished = (
            await c.execute(
                text(
                    "SELECT extract(epoch FROM max(sent_at)) FROM notifications.deliveries"
                    " WHERE message_type = 'group_invitation' AND state = 'sent'"
                )
            )
        ).scalar_one()
    started = min(published.values())
    seconds = (float(finished) if finished is not None else time.time()) - started
    # Latency of each invited person, and from the moment their group could first be formed (its last
    # member's registration published): what the system adds beyond waiting for compatible people.
    rows = [
        {**row, "participant_id": uuid.UUID(str(row["participant_id"])), "group_id": str(row["group_id"])}
        for row in rows
    ]
    last_member: dict[Any, float] = {}
    for row in rows:
        t = published.get(row["participant_id"])
        if t is not None:
            last_member[row["group_id"]] = max(last_member.get(row["group_id"], 0.0), t)
    latencies, after_complete, invited_ids = [], [], set()
    stage_values: dict[str, list[float]] = {label: [] for label, _, _ in STAGES}
    # The same for the member whose registration completed their group: what the system itself adds.
    last_values: dict[str, list[float]] = {label: [] for label, _, _ in STAGES}
    for row in rows:
        t = published.get(row["participant_id"])
        if t is None:
            continue
        times = {
            key: (float(value) if value is not None else None)
            for key, value in row.items()
            if key not in ("participant_id", "group_id")
        }
        times["published"] = t
        latencies.append(times["sent"] - t)
        invited_ids.add(row["participant_id"])
        after_complete.append(times["sent"] - last_member[row["group_id"]])
        completed_group = t == last_member[row["group_id"]]
        for label, start, end in STAGES:
            if times.get(start) is not None and times.get(end) is not None:
                stage_values[label].append(times[end] - times[start])
                if completed_group:
                    last_values[label].append(times[end] - times[start])
    return FlowResult(
        registrations=n,
        seconds=seconds,
        rate=n / seconds,
        offered=offered,
        invited=len(latencies),
        groups=progress.formed,
        scheduled=progress.scheduled,
        failed=progress.failed,
        latency=percentiles(latencies),
        invited_ids=invited_ids,
        after_group_complete=percentiles(after_complete),
        stages=[(label, percentiles(values)) for label, values in stage_values.items()],
        stages_last=[(label, percentiles(values)) for label, values in last_values.items()],
    )


# --- the report ----------------------------------------------------------------------------------------
def print_stages(label: str, result: FlowResult) -> None:
    print(
        f"\n{label}: {result.registrations:,} registrations (offered {result.offered:,.0f}/s) in "
        f"{result.seconds:.1f} s; {result.groups:,} groups formed, {result.scheduled:,} scheduled, "
        f"{result.failed:,} not schedulable; {result.invited:,} people invited"
    )
    print(f"  {'where an invited person’s time went (s)':<44}{'p50':>9}{'p95':>9}{'p99':>9}")
    for stage, values in result.stages:
        print(f"  {stage:<44}{values['p50']:>9.2f}{values['p95']:>9.2f}{values['p99']:>9.2f}")
    for name, values in (
        ("submission → invitation sent", result.latency),
        ("group’s last registration → invitation sent", result.after_group_complete),
        ("earliest possible (3 compatible registered)", result.earliest),
    ):
        if not values:
            continue
        print(f"  {name:<44}{values['p50']:>9.2f}{values['p95']:>9.2f}{values['p99']:>9.2f}")
    if result.stages_last and result.offered < 500:  # paced: where the system's own time went
        print(f"  {'the same for the member who completed a group':<44}{'p50':>9}{'p95':>9}{'p99':>9}")
        for stage, values in result.stages_last:
            print(f"  {stage:<44}{values['p50']:>9.2f}{values['p95']:>9.2f}{values['p99']:>9.2f}")
    if result.planning:
        plans = "; ".join(
            f"{part} {mean * 1000:.0f} ms ({n:,})" for part, (n, mean) in result.planning.items()
        )
        count = max(count for count, _ in result.planning.values())
        print(f"  district plans: {count:,}, mean time {plans}")
    cpu = ", ".join(f"{name} {seconds:.0f}" for name, seconds in result.cpu_seconds.items())
    memory = ", ".join(f"{name} {mb:.0f}" for name, mb in result.peak_mb.items())
    print(f"  CPU seconds used: {cpu}; peak RSS (MB): {memory}")
    if result.relay_retries:
        print(f"  outbox relay publishes retried: {result.relay_retries}")
    if result.dead_lettered:
        print(f"  dead-lettered: {result.dead_lettered}")
    for problem in result.problems:
        print(f"  PROBLEM: {problem}")
    sys.stdout.flush()


def _median(values: list[float]) -> float:
    clean = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.median(clean) if clean else math.nan


def _fmt(value: float, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{digits}f}"


def print_table(figures: dict[str, list[float]], args) -> bool:
    """The one table: medians over runs, limits, ratios and targets. True when every target is met."""
    med = {name: _median(values) for name, values in figures.items()}
    rows: list[tuple[str, str, str, str, str, str, str]] = []
    verdicts: list[bool] = []

    def row(name, key, digits=0, limit=None, limit_name="", target=None, higher=True):
        value = med.get(key, math.nan)
        runs = ", ".join(_fmt(v, digits) for v in figures.get(key, []))
        ratio = value / med[limit] if limit and med.get(limit) else math.nan
        measured = ratio if limit else value
        verdict = ""
        if target is not None and not math.isnan(measured):
            ok = measured >= target if higher else measured < target
            verdicts.append(ok)
            verdict = "yes" if ok else "NO"
        elif target is not None:  # not measured (a phase left out or failed): not met, but not a "no"
            verdicts.append(False)
            verdict = "not run"
        rows.append(
            (
                name,
                _fmt(value, digits),
                runs,
                limit_name,
                _fmt(ratio, 2) if limit else "",
                ("≥ " if higher else "< ") + f"{target:g}" if target is not None else "",
                verdict,
            )
        )

    c = args.concurrency
    row("raw AMQP hop (msg/s)", "hop")
    row("raw SMTP to the local sink (mail/s)", "smtp")
    row("HTTP floor: FastAPI, the intake's route and model, no db (req/s)", "http_floor")
    row("AMQP floor: consume + ack + 2 confirmed publishes (msg/s)", "amqp_floor")
    row("raw db commit, 1 connection (tx/s)", "db1")
    row(f"raw db commit, {c} connections (tx/s)", "dbC")
    # What each limit costs: how many of them two cores could carry side by side.
    row("  CPU-ms per commit, PostgreSQL", "dbC_cpu_postgres", 3)
    row("  CPU-ms per commit, this client", "dbC_cpu_client", 3)
    row("  CPU-ms per hop message, RabbitMQ", "hop_cpu_rabbitmq", 3)
    row("  CPU-ms per hop message, this client", "hop_cpu_client", 3)
    row("  CPU-ms per AMQP floor message, RabbitMQ", "amqp_floor_cpu_rabbitmq", 3)
    row("  CPU-ms per AMQP floor message, this client", "amqp_floor_cpu_client", 3)
    row(
        f"intake HTTP, {c} in flight (reg/s)",
        "http",
        limit="dbC",
        limit_name=f"db commit ×{c}",
        target=TARGETS["intake"],
    )
    row("  the same against FastAPI alone (no database)", "http", limit="http_floor", limit_name="HTTP floor")
    row("intake AMQP (reg/s)", "amqp", limit="dbC", limit_name=f"db commit ×{c}", target=TARGETS["intake"])
    row("  the same against its messaging alone", "amqp", limit="amqp_floor", limit_name="AMQP floor")
    n = args.registrations
    row(
        f"end to end, {n:,} burst (reg/s)",
        "e2e",
        1,
        limit="hop",
        limit_name="AMQP hop",
        target=TARGETS["e2e"],
    )
    row("  people invited", "e2e_invited")
    row("  invitations sent (per s)", "e2e_invitation_rate", 1, limit="smtp", limit_name="raw SMTP")
    row("  groups formed", "e2e_groups")
    row("  groups not schedulable", "e2e_failed")
    row("  messages dead-lettered", "e2e_dead")
    for p in ("p50", "p95", "p99"):
        row(f"  submission → invitation {p} (s)", f"e2e_{p}", 2)
    rate = f"{args.paced_rate:g}/s"
    row(f"paced {rate}, {int(args.paced_rate * args.paced_seconds):,} (offered reg/s)", "paced_offered", 1)
    row("  people invited", "paced_invited")
    row("  messages dead-lettered", "paced_dead")
    for p in ("p50", "p95", "p99"):
        target = TARGETS["p99"] if p == "p99" else None
        row(f"  submission → invitation {p} (s)", f"paced_{p}", 2, target=target, higher=False)
    row("  from group's last registration p99 (s)", "paced_complete_p99", 2)
    row("  earliest possible for the same people p99 (s)", "paced_earliest_p99", 2)
    for service in SERVICES:
        row(f"peak RSS {service} (MB)", f"rss_{service}", target=TARGETS["rss_mb"], higher=False)

    header = ("measure", "median", "runs", "limit", "ratio", "target", "met")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print()
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        cells = [r[0].ljust(widths[0])] + [str(v).rjust(w) for v, w in zip(r[1:], widths[1:], strict=True)]
        print("| " + " | ".join(cells) + " |")
    settings = ", ".join(f"{k}={v}" for k, v in BENCH_ENV.items() if k not in ("LOG_JSON",))
    print(f"\nservices run with {settings}; everything else as in shared/settings.py")
    print(f"code: {', '.join(dict.fromkeys(args.versions)) or code_version()}")
    return all(verdicts)


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1 run, 2,000 end to end, 50/s for 10 s")
    parser.add_argument("--runs", type=int, default=None, help="runs (default 3; 1 with --quick)")
    parser.add_argument("--registrations", type=int, default=None, help="end to end (default 10,000)")
    parser.add_argument("--intake", type=int, default=None, help="registrations per intake measure")
    parser.add_argument("--concurrency", type=int, default=16, help="HTTP requests in flight, db connections")
    parser.add_argument("--paced-rate", type=float, default=50.0)
    parser.add_argument("--paced-seconds", type=float, default=None, help="default 30 (10 with --quick)")
    parser.add_argument("--hop-messages", type=int, default=None)
    parser.add_argument("--db-commits", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds a phase may take")
    parser.add_argument("--stall", type=float, default=180.0, help="seconds without any progress")
    parser.add_argument(
        "--phases", default="limits,intake,e2e,paced", help="comma-separated subset (development)"
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the services' logs and sinks' mail")
    args = parser.parse_args()
    quick = args.quick
    args.runs = args.runs or (1 if quick else 3)
    args.registrations = args.registrations or (2000 if quick else 10_000)
    args.intake = args.intake or (1000 if quick else 3000)
    args.paced_seconds = args.paced_seconds or (10.0 if quick else 30.0)
    args.hop_messages = args.hop_messages or (2000 if quick else 5000)
    args.db_commits = args.db_commits or (2000 if quick else 4000)
    phases = set(args.phases.split(","))
    args.versions = []

    servers = ensure_local_servers()
    log_root = Path(tempfile.mkdtemp(prefix="selvhjelp-bench-"))
    figures: dict[str, list[float]] = {}
    failures: list[str] = []
    warnings: list[str] = []

    def note(key: str, value: float) -> None:
        figures.setdefault(key, []).append(value)

    try:
        for run in range(args.runs):
            seed = 1000 + run
            args.versions.append(code_version())
            say(f"== run {run + 1}/{args.runs} (code {args.versions[-1]})")
            logs = log_root / f"run{run + 1}"
            paced_n = int(args.paced_rate * args.paced_seconds)
            for phase in ("limits", "intake", "e2e", "paced"):
                if phase not in phases:
                    continue
                try:  # the machine is shared: start the local servers again if someone stopped them
                    servers = await asyncio.to_thread(ensure_local_servers)
                except Exception as error:
                    failures.append(f"run {run + 1}, {phase}: servers not available: {error}")
                    continue
                if phase == "limits":
                    step = limits(servers, args)
                elif phase == "intake":
                    step = intake(servers, args, logs, seed)
                elif phase == "e2e":
                    step = flow(servers, args, logs, seed, args.registrations, rate=None, label="e2e")
                else:
                    step = flow(servers, args, logs, seed + 500, paced_n, rate=args.paced_rate, label="paced")
                try:
                    result = await step
                except Exception as error:  # report it and go on with the other phases
                    detail = (
                        str(error) if isinstance(error, PhaseFailed) else f"{type(error).__name__}: {error}"
                    )
                    message = f"run {run + 1}, {phase}: {detail}"
                    say("FAILED " + message)
                    failures.append(message)
                    continue
                if phase in ("limits", "intake"):
                    for key, value in result.items():
                        note(key, value)
                else:
                    print_stages(f"run {run + 1}, {phase}", result)
                    prefix = phase
                    if phase == "e2e":
                        note("e2e", result.rate)
                        note("e2e_invitation_rate", result.invited / result.seconds)
                        note("e2e_groups", result.groups)
                        note("e2e_failed", result.failed)
                        for service, mb in result.peak_mb.items():
                            note(f"rss_{service}", mb)
                    else:
                        note("paced_offered", result.offered)
                        note("paced_complete_p99", result.after_group_complete["p99"])
                        note("paced_earliest_p99", result.earliest.get("p99", math.nan))
                    note(f"{prefix}_invited", result.invited)
                    note(f"{prefix}_dead", sum(result.dead_lettered.values()))
                    warnings += [f"run {run + 1}: {problem}" for problem in result.problems]
                    for p, value in result.latency.items():
                        note(f"{prefix}_{p}", value)

    except asyncio.CancelledError:
        if not args.keep_logs:
            shutil.rmtree(log_root, ignore_errors=True)
        raise

    met = print_table(figures, args)
    if warnings:
        print("\nfinished short of every invitation:")
        for message in warnings:
            print(f"  {message}")
    if failures:
        print("\nphases that did not finish:")
        for message in failures:
            print(f"  {message}")
    if args.keep_logs or failures:
        print(f"\nservice logs: {log_root}")
    else:
        shutil.rmtree(log_root, ignore_errors=True)
    print("\nevery target met" if met and not failures else "\nnot every target met")
    return 1 if failures else 0


async def stoppable(work) -> int:
    """Run `work`; on SIGTERM cancel it, so every phase still stops its services and drops its database
    and vhost on the way out."""
    task = asyncio.ensure_future(work)
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        return await task
    except asyncio.CancelledError:
        say("stopped (SIGTERM); services stopped, databases and vhosts dropped")
        return 143


if __name__ == "__main__":
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import logging

    logging.disable(logging.WARNING)
    raise SystemExit(asyncio.run(stoppable(main())))
