"""A service of this repository as a process of its own on a free local port, against a given database and
vhost: what the tests' system tier (tests/support/system.py) and the benchmarks (bench/) both start. It
lives outside tests/ so the benchmarks need nothing from the tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from shared.db.roles import service_database_url


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_env(
    settings, urls: dict[str, str] | None = None, extra: dict[str, str] | None = None
) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "RABBITMQ_URL": settings.rabbitmq_url,
        "SIGNING_KEY": settings.signing_key.get_secret_value(),
        "SELVHJELP_ENV": settings.environment,
        "DELIVERY_LIMIT": str(settings.delivery_limit),
        "TRANSIENT_RETRY_CAP_SECONDS": str(settings.transient_retry_cap_seconds),
        "LOG_JSON": "true",
        "OUTBOX_POLL_SECONDS": "0.1",
        "PLANNING_DEBOUNCE_SECONDS": "3.0",  # all of a test's registrations land before planning
        "PLANNER_POLL_SECONDS": "0.2",
        "GROUPING_POLICY": settings.grouping_policy,
        # Every request comes from 127.0.0.1 and many tests reuse one address: no intake rate limits.
        "REGISTRATION_RATE_LIMIT_PER_CLIENT": "",
        "REGISTRATION_RATE_LIMIT_PER_CONTACT": "",
        **{f"{service.upper()}_URL": url for service, url in (urls or {}).items()},
        **(extra or {}),
    }


def start_service(
    service: str, env: dict[str, str], log_path: Path, port: int | None = None
) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    # As in production, the service logs in as its own role (rights on its own schema only); `env` keeps
    # the owner's URL for the test's own checks.
    env = {**env, "DATABASE_URL": service_database_url(env["DATABASE_URL"], service)}
    with open(log_path, "ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "shared.cli", service, "run", "--port", str(port or free_port())],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
