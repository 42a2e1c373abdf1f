"""Throughput of the delivery path, as ratios to this machine's own limits measured in the same run.

    .venv/bin/python bench/messaging.py [--messages 2000] [--runs 3]

Limits: (1) a raw broker hop — aio-pika publishes persistent messages with confirms to a quorum queue and
consumes them with acks; (2) a raw database commit — single-row INSERT + COMMIT on one connection.
System: registrations published to the public intake → registration service (validate, store, outbox) →
relay → grouping service (inbox + pool row). Every figure is the median of the runs; the machine is
shared and noisy, so compare ratios, not absolute numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from machine_limits import drop_vhost, fresh_vhost, raw_broker_hop, raw_db_commit  # noqa: E402
from population import envelope, registration_body  # noqa: E402

from services.grouping.app import create_service as create_grouping  # noqa: E402
from services.grouping.models import pool  # noqa: E402
from services.registration.app import create_service as create_registration  # noqa: E402
from shared.db.migrate import migrate  # noqa: E402
from shared.local_servers import ensure_local_servers  # noqa: E402
from shared.messaging import INTAKE_EXCHANGE, Publisher, declare_topology  # noqa: E402
from shared.messaging.topology import TOPOLOGY  # noqa: E402
from shared.settings import Settings  # noqa: E402


async def system_path(settings: Settings, n: int) -> float:
    registration, grouping = create_registration(settings), create_grouping(settings)
    await registration.start()
    await grouping.start()
    try:
        publisher = Publisher(settings.rabbitmq_url)
        await publisher.connect()
        await declare_topology(publisher.channel, TOPOLOGY.queues, settings.delivery_limit)
        # The same adult each time, under a new reference of a municipality's system.
        bodies = [
            registration_body(source="external", external_ref=f"kommune-{uuid.uuid4().hex[:8]}")
            for _ in range(n)
        ]
        envelopes = [envelope(body, datetime.now(UTC)) for body in bodies]
        started = time.perf_counter()
        for chunk in range(0, n, 200):
            await asyncio.gather(
                *(
                    publisher.publish(INTAKE_EXCHANGE, "registration.submitted.v1", e)
                    for e in envelopes[chunk : chunk + 200]
                )
            )
        await publisher.close()
        while True:
            async with grouping.sessions() as session:
                count = await session.scalar(select(func.count()).select_from(pool))
            if count >= n:
                break
            await asyncio.sleep(0.1)
        return n / (time.perf_counter() - started)
    finally:
        await grouping.stop()
        await registration.stop()


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    servers = ensure_local_servers()
    figures: dict[str, list[float]] = {
        "raw broker hop (msg/s)": [],
        "raw db commit (tx/s)": [],
        "system path (reg/s)": [],
    }
    admin = create_async_engine(servers.database_url, isolation_level="AUTOCOMMIT")
    for run in range(args.runs):
        database = f"bench_{uuid.uuid4().hex[:8]}"
        async with admin.connect() as connection:
            await connection.execute(text(f'CREATE DATABASE "{database}"'))
        database_url = servers.database_url.rsplit("/", 1)[0] + f"/{database}"
        await asyncio.to_thread(migrate, database_url)
        vhost, amqp_url = await fresh_vhost(servers.management_url, servers.rabbitmq_url)
        settings = Settings(
            environment="development",
            database_url=database_url,
            rabbitmq_url=amqp_url,
            log_json=False,
            log_level="WARNING",
            planning_debounce_seconds=3600,
        )
        try:
            figures["raw broker hop (msg/s)"].append(await raw_broker_hop(amqp_url, args.messages))
            figures["raw db commit (tx/s)"].append(
                await raw_db_commit(database_url, min(args.messages, 2000))
            )
            figures["system path (reg/s)"].append(await system_path(settings, args.messages))
        finally:
            await drop_vhost(servers.management_url, vhost)
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        print(f"run {run + 1}/{args.runs} done", file=sys.stderr)
    await admin.dispose()
    medians = {name: statistics.median(values) for name, values in figures.items()}
    system = medians["system path (reg/s)"]
    print(f"\n{'measure':<28}{'median':>12}   runs")
    for name, values in figures.items():
        print(f"{name:<28}{medians[name]:>12.0f}   {', '.join(f'{v:.0f}' for v in values)}")
    print(f"\nsystem / raw broker hop   = {system / medians['raw broker hop (msg/s)']:.2f}")
    print(f"system / raw db commit    = {system / medians['raw db commit (tx/s)']:.2f}")
    print("(each registration costs 2 consumer transactions, 2 relay batches and 3 publishes)")


if __name__ == "__main__":
    import logging

    logging.disable(logging.WARNING)
    asyncio.run(main())
