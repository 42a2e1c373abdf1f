"""The container image `make image` built, run as the deployment runs it: the migration job, then one replica
of each service, against the local PostgreSQL and RabbitMQ (host network, read-only root filesystem, /tmp in
memory, as in deploy/k8s). They become ready and carry registrations through to invitations by e-mail.
`make test-deploy` builds the image and runs this module (marker `image`; not part of `make test`)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from services.calendar.sample import load_sample_into
from services.notifications.sinks import MailSink
from shared.clock import norway_today
from shared.db.roles import service_database_url
from shared.sample import registration_body
from shared.settings import Settings
from tests.support import eventually
from tests.support.system import running_system

pytestmark = [pytest.mark.image, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
IMAGE = os.environ.get("SELVHJELP_IMAGE", "selvhjelp:0.1.0")


def engine() -> str:
    chosen = os.environ.get("CONTAINER_ENGINE")
    if chosen:
        return chosen
    if shutil.which("docker"):
        answers = subprocess.run(["docker", "info"], capture_output=True, timeout=10).returncode == 0
        if answers:
            return "docker"
    return "podman"


ENGINE = engine()
if ENGINE == "podman":
    os.environ.setdefault("CONTAINERS_CONF", str(ROOT / "deploy" / "image" / "containers.conf"))


def container(
    *args: str, env: dict[str, str] | None = None, timeout: int = 300
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [ENGINE, *args], capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}
    )


@pytest.fixture(scope="module", autouse=True)
def image_exists() -> None:
    if container("image", "inspect", IMAGE, timeout=60).returncode != 0:
        pytest.fail(f"no image {IMAGE}: run `make image` first (`make test-deploy` does both)")


def run_flags(env: dict[str, str]) -> list[str]:
    """As Kubernetes runs it: the host's loopback servers, a read-only root, /tmp in memory. Settings are
    passed by name only, so no secret shows in a process list."""
    flags = ["--rm", "--network=host", "--read-only", "--tmpfs", "/tmp"]
    for name, value in env.items():
        if os.environ.get(name) != value:
            flags += ["--env", name]
    return flags


def image_launcher(names: list[str]):
    def launch(service: str, env: dict[str, str], log_path: Path, port: int) -> subprocess.Popen:
        env = {**env, "DATABASE_URL": service_database_url(env["DATABASE_URL"], service)}
        name = f"selvhjelp-test-{service}-{uuid.uuid4().hex[:8]}"
        names.append(name)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(log_path, "ab") as log:
            return subprocess.Popen(
                [
                    ENGINE,
                    "run",
                    "--name",
                    name,
                    *run_flags(env),
                    IMAGE,
                    service,
                    "run",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )

    return launch


@pytest.fixture
def containers() -> Iterator[list[str]]:
    names: list[str] = []
    yield names
    for name in names:  # stopped by the system's shutdown; removed here even if the test failed
        container("rm", "--force", "--time", "5", name, timeout=60)


@pytest.fixture
async def fresh_database(servers) -> Iterator[str]:
    """An empty database: the image's migration job makes every schema in it."""
    name = f"t_image_{uuid.uuid4().hex[:10]}"
    url = make_url(servers.database_url).set(database=name).render_as_string(hide_password=False)
    admin = create_async_engine(servers.database_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
async def mail_sink():
    sink = await MailSink(port=0).start()
    yield sink
    await sink.stop()


def test_the_image_runs_as_a_non_root_user_and_holds_no_test_servers():
    who = container("run", "--rm", "--entrypoint", "id", IMAGE)
    assert who.returncode == 0, who.stderr
    assert re.match(r"uid=10001\(selvhjelp\)", who.stdout)
    for module in ("aiosmtpd", "pytest", "testcontainers", "playwright"):
        probe = container("run", "--rm", "--entrypoint", "python3", IMAGE, "-c", f"import {module}")
        assert probe.returncode != 0 and "ModuleNotFoundError" in probe.stderr, module
    listing = container(
        "run",
        "--rm",
        "--entrypoint",
        "sh",
        IMAGE,
        "-c",
        "ls /usr/lib/postgresql /usr/lib/rabbitmq /usr/bin/chromium 2>&1; true",
    )
    assert listing.stdout.count("No such file") == 3, listing.stdout


async def test_the_migration_job_and_one_replica_of_each_service_carry_registrations_to_invitations(
    fresh_database, rabbitmq_url, mail_sink, containers, tmp_path: Path
):
    migrated = container(
        *["run", "--name", f"selvhjelp-test-migrate-{uuid.uuid4().hex[:8]}"],
        *run_flags({"DATABASE_URL": fresh_database}),
        IMAGE,
        "migrate",
        env={"DATABASE_URL": fresh_database},
    )
    assert migrated.returncode == 0, migrated.stdout[-2000:] + migrated.stderr[-2000:]
    await load_sample_into(fresh_database)  # venues and starters in Bodø and Oslo

    settings = Settings(
        database_url=fresh_database,
        rabbitmq_url=rabbitmq_url,
        outbox_poll_seconds=0.1,
        delivery_limit=3,
        registration_rate_limit_per_client="",
        registration_rate_limit_per_contact="",
        environment="development",
    )
    smtp = {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(mail_sink.port),
        "SMTP_STARTTLS": "false",
        "SMTP_TLS": "false",
        "LOG_JSON": "true",
    }
    today = norway_today()
    people = [
        registration_body(
            participant={"name": f"Bilde{i} Test", "email": f"bilde{i}@example.org"},
            birth_date=(today - timedelta(days=365 * (35 + i))).isoformat(),
            gender="female" if i % 2 else "male",
            topic="grief",
            municipality="1804",
            availability=["tue_evening"],
        )
        for i in range(5)
    ]
    with running_system(settings, tmp_path / "logs", smtp, launch=image_launcher(containers)) as system:
        async with httpx.AsyncClient(timeout=30) as client:
            for body in people:
                response = await client.post(f"{system.url('registration')}/api/v1/registrations", json=body)
                assert response.status_code == 202, response.text

            def invited(address: str) -> bool:
                return any(
                    address in mail.recipients and "/invitations/" in mail.part("plain")
                    for mail in mail_sink.received
                )

            for body in people:
                address = body["participant"]["email"]
                await eventually(lambda a=address: invited(a), timeout=180)
        logs = system.logs()
    for body in people:
        assert body["participant"]["email"] not in logs  # no contact data in the containers' logs
