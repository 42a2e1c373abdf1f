"""TLS on every link when configured: AMQP over `amqps://` and PostgreSQL with `ssl=verify-full`, both
checked against a CA generated for the test (trustme). A registration flows registration → grouping over
those links, and a client that does not trust the CA is refused."""

from __future__ import annotations

import asyncio
import os
import shutil
import ssl
import uuid

import aio_pika
import asyncpg
import pytest
import trustme
from sqlalchemy import func, select

from services.grouping.app import create_service as create_grouping
from services.grouping.models import pool
from services.registration import commands
from services.registration.app import create_service as create_registration
from shared.contracts import RegistrationDetails
from shared.db.migrate import migrate
from shared.local_servers import DEFAULT_RUN_DIR, postgres_base
from shared.settings import Settings
from tests.support import eventually, running
from tests.support.factories import registration_body
from tests.support.private_servers import PrivatePostgres, PrivateRabbitMQ, free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def tls_dir():
    path = DEFAULT_RUN_DIR / "tls" / uuid.uuid4().hex[:8]
    path.mkdir(parents=True)
    os.chmod(path, 0o755)
    yield path


def _write_certificates(directory):
    ca = trustme.CA()
    server = ca.issue_cert("127.0.0.1", "localhost")
    ca.cert_pem.write_to_path(str(directory / "ca.pem"))
    server.private_key_pem.write_to_path(str(directory / "server.key"))
    server.cert_chain_pems[0].write_to_path(str(directory / "server.pem"))
    return directory / "ca.pem"


def _postgres_copies(directory, run_dir):
    """Copies of the server's certificate and key where the postgres user can read them (the test's folder
    may lie in a clone the postgres user cannot enter)."""
    folder = postgres_base(run_dir)
    for name in ("server.pem", "server.key"):
        shutil.copy(directory / name, folder / name)
        if os.geteuid() == 0:
            shutil.chown(folder / name, "postgres", "postgres")
    os.chmod(folder / "server.key", 0o600)  # PostgreSQL refuses a key others can read
    return folder / "server.pem", folder / "server.key"


async def test_amqps_and_verified_postgres_tls_carry_the_flow_and_refuse_an_untrusted_client(
    tls_dir, monkeypatch
):
    ca_file = _write_certificates(tls_dir)
    # RabbitMQ (runs as root here) reads its own copy of the key.
    rabbit_key = tls_dir / "rabbit.key"
    shutil.copy(tls_dir / "server.key", rabbit_key)
    tls_port = free_port()
    broker = PrivateRabbitMQ.create(tls_dir / "rabbitmq")
    broker.extra_config = (
        f"listeners.ssl.default = 127.0.0.1:{tls_port}",
        f"ssl_options.cacertfile = {ca_file}",
        f"ssl_options.certfile = {tls_dir / 'server.pem'}",
        f"ssl_options.keyfile = {rabbit_key}",
        "ssl_options.verify = verify_none",
        "ssl_options.fail_if_no_peer_cert = false",
    )
    database = PrivatePostgres.create(tls_dir / "pg")
    pg_cert, pg_key = _postgres_copies(tls_dir, database.run_dir)
    database.extra_options = f"-c ssl=on -c ssl_cert_file={pg_cert} -c ssl_key_file={pg_key}"
    await asyncio.gather(asyncio.to_thread(broker.start), asyncio.to_thread(database.start))
    monkeypatch.setenv("PGSSLROOTCERT", str(ca_file))
    try:
        database_url = f"postgresql+asyncpg://postgres@127.0.0.1:{database.port}/selvhjelp?ssl=verify-full"
        rabbitmq_url = f"amqps://guest:guest@127.0.0.1:{tls_port}/?cafile={ca_file}"
        await asyncio.to_thread(migrate, database_url)
        settings = Settings(
            environment="development",
            database_url=database_url,
            rabbitmq_url=rabbitmq_url,
            log_json=False,
            planning_debounce_seconds=3600,
        )
        registration, grouping = create_registration(settings), create_grouping(settings)
        async with running(registration), running(grouping):
            async with registration.sessions() as session, session.begin():
                await commands.submit_registration(
                    session, registration.outbox, RegistrationDetails.model_validate(registration_body())
                )
            registration.relay.wake()

            async def in_pool():
                async with grouping.sessions() as session:
                    return await session.scalar(select(func.count()).select_from(pool)) == 1

            await eventually(in_pool, timeout=30)

        # A client that does not trust our CA is refused on both links.
        untrusted = ssl.create_default_context()  # system CAs only
        with pytest.raises((ssl.SSLError, ConnectionError, aio_pika.exceptions.AMQPConnectionError, OSError)):
            await aio_pika.connect(
                f"amqps://guest:guest@127.0.0.1:{tls_port}/", ssl_context=untrusted, timeout=10
            )
        with pytest.raises((ssl.SSLError, ConnectionError, OSError)):
            await asyncpg.connect(
                host="127.0.0.1",
                port=database.port,
                user="postgres",
                database="selvhjelp",
                ssl=untrusted,
                timeout=10,
            )
    finally:
        broker.stop()
        database.stop()
