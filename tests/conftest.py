"""Fixtures for every tier.

Server URLs come, in this order, from RABBITMQ_URL / DATABASE_URL; from testcontainers when a Docker
engine answers; else from the private local instances under `.run/` (started here when not up). Each
test gets its own RabbitMQ vhost and its own database cloned from a migrated template, so tests never
see each other's messages or rows.
"""

from __future__ import annotations

import asyncio
import os
import urllib.parse
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from shared.settings import Settings

# One template per test session, so concurrent sessions on a shared server never drop each other's.
TEMPLATE_DB = f"selvhjelp_template_{os.getpid()}"


@dataclass(frozen=True)
class Servers:
    database_url: str  # the server's admin database
    rabbitmq_url: str  # default vhost
    management_url: str
    management_auth: tuple[str, str]


def _docker_engine_answers() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@pytest.fixture(scope="session")
def servers() -> Iterator[Servers]:
    env_db, env_mq = os.environ.get("DATABASE_URL"), os.environ.get("RABBITMQ_URL")
    if env_db and env_mq:
        mq = urllib.parse.urlsplit(env_mq)
        management = os.environ.get("RABBITMQ_MANAGEMENT_URL", f"http://{mq.hostname}:15672")
        yield Servers(env_db, env_mq, management, (mq.username or "guest", mq.password or "guest"))
        return
    if _docker_engine_answers():
        from testcontainers.postgres import PostgresContainer
        from testcontainers.rabbitmq import RabbitMqContainer

        with (
            PostgresContainer("postgres:15", driver="asyncpg") as pg,
            RabbitMqContainer("rabbitmq:3.13-management") as mq,
        ):
            mq.with_exposed_ports(15672)
            host, port = mq.get_container_host_ip(), mq.get_exposed_port(mq.port)
            yield Servers(
                pg.get_connection_url(),
                f"amqp://{mq.username}:{mq.password}@{host}:{port}/",
                f"http://{host}:{mq.get_exposed_port(15672)}",
                (mq.username, mq.password),
            )
        return
    from shared.local_servers import ensure_local_servers

    local = ensure_local_servers()
    yield Servers(local.database_url, local.rabbitmq_url, local.management_url, ("guest", "guest"))


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def template_database(servers: Servers) -> Iterator[str]:
    """Migrate once per session; every test database is a cheap copy of this one."""
    from shared.db.migrate import migrate

    async def recreate() -> None:
        admin = create_async_engine(servers.database_url, isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)'))
        await admin.dispose()

    asyncio.run(recreate())
    url = _with_database(servers.database_url, TEMPLATE_DB)
    migrate(url)
    yield TEMPLATE_DB

    async def drop() -> None:
        admin = create_async_engine(servers.database_url, isolation_level="AUTOCOMMIT")
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{TEMPLATE_DB}" WITH (FORCE)'))
        await admin.dispose()

    asyncio.run(drop())


@pytest.fixture
async def database_url(servers: Servers, template_database: str) -> AsyncIterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(servers.database_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"'))
    try:
        yield _with_database(servers.database_url, name)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
async def rabbitmq_url(servers: Servers) -> AsyncIterator[str]:
    vhost = f"t_{uuid.uuid4().hex[:12]}"
    user = servers.management_auth[0]
    async with httpx.AsyncClient(
        base_url=servers.management_url, auth=servers.management_auth, timeout=30
    ) as api:
        (await api.put(f"/api/vhosts/{vhost}")).raise_for_status()
        (
            await api.put(
                f"/api/permissions/{vhost}/{user}", json={"configure": ".*", "write": ".*", "read": ".*"}
            )
        ).raise_for_status()
        base = urllib.parse.urlsplit(servers.rabbitmq_url)
        try:
            yield urllib.parse.urlunsplit((base.scheme, base.netloc, f"/{vhost}", "", ""))
        finally:
            await api.delete(f"/api/vhosts/{vhost}")


@pytest.fixture
def settings(database_url: str, rabbitmq_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        rabbitmq_url=rabbitmq_url,
        outbox_poll_seconds=0.1,
        transient_retry_base_seconds=0.05,
        transient_retry_cap_seconds=0.5,
        graceful_timeout_seconds=5,
        delivery_limit=3,
        log_json=False,
        # Tests post many registrations from one client and address; the limits' own tests turn them on.
        registration_rate_limit_per_client="",
        registration_rate_limit_per_contact="",
        environment="development",  # the development key and sign-in; production refuses both
        # Tests of everything but the grouping policy expect a group the moment four people fit; the
        # default policy ("lasting") holds some back, and has its own tests (test_grouping_policy_service.py).
        grouping_policy="asap",
    )


@pytest.fixture
async def management(servers: Servers, rabbitmq_url: str) -> AsyncIterator[ManagementApi]:
    vhost = urllib.parse.urlsplit(rabbitmq_url).path.lstrip("/")
    async with httpx.AsyncClient(
        base_url=servers.management_url, auth=servers.management_auth, timeout=30
    ) as api:
        yield ManagementApi(api, vhost)


class ManagementApi:
    """The few RabbitMQ management calls tests need, scoped to the test's vhost."""

    def __init__(self, api: httpx.AsyncClient, vhost: str) -> None:
        self.api = api
        self.vhost = vhost

    async def get_messages(self, queue: str, count: int = 100) -> list[dict]:
        response = await self.api.post(
            f"/api/queues/{self.vhost}/{queue}/get",
            json={"count": count, "ackmode": "reject_requeue_true", "encoding": "auto"},
        )
        response.raise_for_status()
        return response.json()
