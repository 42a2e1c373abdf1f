"""What the image's final stage does, without a Docker engine: build the project's wheel as the build stage
does, install it apart from the source tree, and run the image's entrypoints from the installed package
(`selvhjelp migrate` against a fresh database, `selvhjelp <service> run --help`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from shared.messaging.topology import SERVICES

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    work = tmp_path_factory.mktemp("image")
    source = work / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for package in ("shared", "services"):
        shutil.copytree(
            ROOT / package, source / package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    # As the build stage's `pip wheel .`, with the build backend pinned in pyproject.toml.
    subprocess.run(
        [*pip, "wheel", "--no-deps", "-w", str(work / "wheels"), str(source)],
        check=True,
        timeout=300,
    )
    (wheel,) = (work / "wheels").glob("selvhjelp-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for service in SERVICES:
        assert f"services/{service}/migrations/env.py" in names
    site = work / "site"
    subprocess.run(
        [*pip, "install", "--no-deps", "--no-index", "--target", str(site), str(wheel)], check=True
    )
    return site


def run_installed(site: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(site / "bin" / "selvhjelp"), *args],
        cwd=site.parent,  # not the repository: only the installed package can be imported
        env={**os.environ, **(env or {}), "PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_installed_command_line_offers_every_service_and_imports_from_the_installed_package(installed):
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import shared, services.registration.app as a; print(shared.__file__, a.__file__)",
        ],
        cwd=installed.parent,
        env={**os.environ, "PYTHONPATH": str(installed)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert all(path.startswith(str(installed)) for path in where.stdout.split())
    for service in SERVICES:
        result = run_installed(installed, service, "run", "--help")
        assert result.returncode == 0 and "--host" in result.stdout, result.stderr


async def test_the_installed_migrate_entrypoint_creates_every_services_schema(installed, servers):
    name = f"t_image_{uuid.uuid4().hex[:10]}"
    url = make_url(servers.database_url).set(database=name).render_as_string(hide_password=False)
    admin = create_async_engine(servers.database_url, isolation_level="AUTOCOMMIT")
    try:
        result = run_installed(installed, "migrate", env={"DATABASE_URL": url})
        assert result.returncode == 0, result.stderr[-2000:]
        engine = create_async_engine(url)
        async with engine.connect() as connection:
            schemas = set(
                (
                    await connection.execute(text("SELECT schema_name FROM information_schema.schemata"))
                ).scalars()
            )
            outboxes = await connection.scalar(
                text("SELECT count(*) FROM information_schema.tables WHERE table_name = 'outbox'")
            )
        await engine.dispose()
        assert set(SERVICES) <= schemas
        assert outboxes == len(SERVICES)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
