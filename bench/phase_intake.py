"""Phase 2, intake: only the registration service runs. Registrations accepted over HTTP (202 after commit,
N requests in flight) and over AMQP (counted when their row is committed), and the HTTP floor: the same
requests answered by FastAPI alone (bench/http_floor.py)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import date
from pathlib import Path
from random import Random
from typing import Any

from common import PhaseFailed, say, wait_until
from intake_client import post_all, publish_all
from machine_limits import sandbox
from population import external_registrations, registration
from procfs import cpu_seconds
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from system import port_open, running

from shared.devsystem import free_port
from shared.messaging import Publisher

BENCH_DIR = Path(__file__).resolve().parent


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
    return port_open(port)


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
                cpu_service, cpu_client = cpu_seconds(service_pid), time.process_time()
                http_rate, elapsed, failures = await post_all(port, bodies, args, "intake http")
                say(
                    f"intake http: {http_rate:.0f}/s; CPU over {elapsed:.1f} s: service "
                    f"{cpu_seconds(service_pid) - cpu_service:.1f} s, "
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

                await wait_until("intake http: outbox relay", relayed, timeout=args.timeout, every=0.1)
                # What a registration costs the service in all: its request and the relay of its two events
                # (the line above counts only while requests were answered; the relay lags behind them).
                http_cpu_ms = (cpu_seconds(service_pid) - cpu_service) * 1000 / n
                say(f"intake http: service CPU {http_cpu_ms:.2f} ms per registration, its events relayed")

                # AMQP: the external system's path; a registration counts once its row committed.
                say(f"intake amqp: {n:,} registrations")
                cpu_service = cpu_seconds(service_pid)
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
                    f"{(cpu_seconds(service_pid) - cpu_service) * 1000 / n:.2f} ms per registration"
                )
                await wait_until("intake amqp: outbox relay", relayed, timeout=args.timeout, every=0.1)
                amqp_cpu_ms = (cpu_seconds(service_pid) - cpu_service) * 1000 / n
                say(f"intake amqp: service CPU {amqp_cpu_ms:.2f} ms per registration, its events relayed")
        finally:
            await engine.dispose()
    return {
        "http": http_rate,
        "amqp": amqp_rate,
        "http_floor": floor,
        "http_cpu_ms": http_cpu_ms,
        "amqp_cpu_ms": amqp_cpu_ms,
    }
