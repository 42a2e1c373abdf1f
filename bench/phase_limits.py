"""Phase 1, limits: what this machine's servers do alone, measured in the same run as the system (raw AMQP
hop, raw PostgreSQL commits, raw SMTP, the AMQP floor of the intake), and what each costs in CPU."""

from __future__ import annotations

from common import say
from machine_limits import amqp_floor, raw_broker_hop, raw_db_commit, raw_smtp, sandbox
from procfs import CpuPerOperation, server_pids
from sqlalchemy.ext.asyncio import create_async_engine


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
