"""The registration intake's CPU per registration, for comparing versions (docs/quality.md, issue 19).

Run from the root of the checkout to measure (any version with bench/machine_limits.py, old or new layout):

    cd <checkout> && python <this checkout>/bench/intake_cpu.py --n 500 --rounds 1

The registration service runs as its own process, as bench/speed.py starts it. Each round posts `n`
registrations over HTTP (16 in flight), then publishes `n` to the intake exchange (in windows of 20: a
broker starved of CPU lets a larger window's confirms time out), and prints the service's CPU-ms per
registration while answering and until its outbox is empty (the relay of the two events included).
Run the versions in turn, several times, and compare medians: the machine is shared and noisy.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from random import Random
from types import SimpleNamespace

ROOT = Path.cwd()
sys.path[:0] = [str(ROOT / "bench"), str(ROOT)]

try:  # the bench split into modules (issue 19)
    from intake_client import post_all
    from machine_limits import sandbox
    from population import envelope, external_registrations, registration
    from procfs import cpu_seconds
    from system import running
except ImportError:  # one speed.py (0872d53 and before)
    import speed

    envelope, external_registrations, registration = (
        speed.envelope,
        speed.external_registrations,
        speed.registration,
    )
    post_all, running, sandbox, cpu_seconds = speed.post_all, speed.running, speed.sandbox, speed._cpu_seconds

from sqlalchemy import text  # noqa: E402
from sqlalchemy.ext.asyncio import create_async_engine  # noqa: E402

from shared.local_servers import ensure_local_servers  # noqa: E402
from shared.messaging import INTAKE_EXCHANGE, Publisher  # noqa: E402


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=500, help="registrations per round and intake")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--label", default=ROOT.name)
    args = parser.parse_args()
    client = SimpleNamespace(concurrency=16, timeout=600)
    async with sandbox(ensure_local_servers()) as box:
        engine = create_async_engine(box.database_url)

        async def count(query: str) -> int:
            async with engine.connect() as connection:
                return (await connection.execute(text(query))).scalar_one()

        async def until(query: str, at_least: int) -> None:
            while await count(query) < at_least:  # noqa: ASYNC110 (a database, not an event, is waited for)
                await asyncio.sleep(0.05)

        drained = "SELECT (count(*) = 0)::int FROM registration.outbox WHERE state = 'pending'"
        external = "SELECT count(*) FROM registration.registrations WHERE source = 'external'"
        try:
            with running(box, ("registration",), Path(f"/tmp/intake-cpu-{box.database}")) as system:
                pid = system.processes["registration"].pid
                port = int(system.urls["registration"].rsplit(":", 1)[1])
                warm = Random(7)
                await post_all(
                    port, [registration(warm, 900_000 + k, date.today()) for k in range(200)], client, "warm"
                )
                await until(drained, 1)
                for r in range(args.rounds):
                    rng = Random(1000 + r)
                    bodies = [registration(rng, r * 100_000 + k, date.today()) for k in range(args.n)]
                    start = cpu_seconds(pid)
                    rate, _, failures = await post_all(port, bodies, client, "http")
                    answered = cpu_seconds(pid)
                    await until(drained, 1)
                    relayed = cpu_seconds(pid)
                    if failures:
                        raise SystemExit(f"not accepted: {failures[:2]}")
                    per = 1000 / args.n
                    print(
                        f"RESULT {args.label} http round={r} rate={rate:.0f} "
                        f"window_ms={(answered - start) * per:.3f} total_ms={(relayed - start) * per:.3f}",
                        flush=True,
                    )
                    before = await count(external)
                    start = cpu_seconds(pid)
                    publisher = Publisher(box.rabbitmq_url)
                    await publisher.connect()
                    try:
                        items = external_registrations(args.n, 5000 + r)
                        for k in range(0, len(items), 20):
                            await asyncio.gather(
                                *(
                                    publisher.publish(
                                        INTAKE_EXCHANGE,
                                        "registration.submitted.v1",
                                        envelope(e, datetime.now(UTC)),
                                    )
                                    for e in items[k : k + 20]
                                )
                            )
                    finally:
                        await publisher.close()
                    await until(external, before + args.n)
                    registered = cpu_seconds(pid)
                    await until(drained, 1)
                    relayed = cpu_seconds(pid)
                    print(
                        f"RESULT {args.label} amqp round={r} registered_ms={(registered - start) * per:.3f} "
                        f"total_ms={(relayed - start) * per:.3f}",
                        flush=True,
                    )
        finally:
            await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
