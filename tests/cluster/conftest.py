"""The cluster tier's servers and services, started once for the module and always stopped, even when a
test or the set-up fails: nothing is left listening."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db.migrate import migrate
from shared.devsystem import free_port, service_env
from shared.local_cluster import PostgresPair, RabbitCluster
from shared.local_servers import DEFAULT_RUN_DIR, ensure_packages, remove_postgres_data
from shared.settings import Settings
from tests.support.cluster_system import ClusterSystem, load_venues_and_starters, start_sinks

# 5,000 as the issue asks; SELVHJELP_CLUSTER_BURST=500 for a shorter run while developing.
BURST = int(os.environ.get("SELVHJELP_CLUSTER_BURST", "5000"))


@pytest.fixture(scope="module")
async def cluster_system() -> AsyncIterator[ClusterSystem]:
    ensure_packages()
    base = DEFAULT_RUN_DIR / f"cluster-{os.getpid()}"
    base.mkdir(parents=True, exist_ok=True)
    rabbit = RabbitCluster.on_ports(
        base,
        [free_port() for _ in range(3)],
        [free_port() for _ in range(3)],
        [free_port() for _ in range(3)],
    )
    postgres = PostgresPair.on_ports(base, [free_port(), free_port()])
    sinks = None
    system: ClusterSystem | None = None
    try:
        await asyncio.to_thread(postgres.start)
        await asyncio.to_thread(rabbit.start)
        # Production-like connection settings: every node and both servers named; a lost connection is
        # tried again after 1 s on the next node (aio-pika's reconnect_interval, 5 s by default).
        rabbitmq_url = rabbit.url(query="reconnect_interval=1")
        database_url = postgres.url("selvhjelp")
        await asyncio.to_thread(migrate, database_url)
        engine = create_async_engine(database_url)
        try:
            await load_venues_and_starters(engine, 3 * BURST)
        finally:
            await engine.dispose()
        sinks, smtp_port, sms_port = start_sinks(base)
        # The burst's groups must all form for the count of invitations: `asap`, as in tests/conftest.py.
        settings = Settings(
            database_url=database_url,
            rabbitmq_url=rabbitmq_url,
            environment="development",
            grouping_policy="asap",
        )
        env = service_env(
            settings,
            extra={
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(smtp_port),
                "SMTP_STARTTLS": "false",
                "SMTP_TLS": "false",
                "SMS_GATEWAY_URL": f"http://127.0.0.1:{sms_port}/sms",
                "DELIVERY_LIMIT": str(Settings().delivery_limit),  # production's, not the tests' 3
            },
        )
        system = ClusterSystem(
            rabbit, postgres, rabbitmq_url, database_url, base / "logs", base / "mail", env
        )
        await asyncio.to_thread(system.start_services)
        yield system
    finally:
        if system is not None:
            await asyncio.to_thread(system.stop_services)
        if sinks is not None:
            sinks.terminate()
            sinks.wait(timeout=30)
        for node in rabbit.nodes:
            await asyncio.to_thread(node.kill_if_running)
        await asyncio.to_thread(postgres.stop)
        if os.environ.get("SELVHJELP_CLUSTER_KEEP") != "1":  # keep logs and data to look into a failure
            for node in postgres.nodes:
                remove_postgres_data(node.run_dir)
            shutil.rmtree(base, ignore_errors=True)
