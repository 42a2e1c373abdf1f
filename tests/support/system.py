"""The four services as real processes (uvicorn, the `selvhjelp <service> run` entrypoint) on free ports,
against the test's database and vhost: what the e2e, fuzz and browser tiers drive."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from shared.db.roles import service_database_url
from shared.devrun import answers_ok
from shared.messaging.topology import SERVICES
from tests.support.private_servers import free_port


@dataclass
class RunningSystem:
    urls: dict[str, str]
    log_dir: Path
    env: dict[str, str]

    def url(self, service: str) -> str:
        return self.urls[service]

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("*.log")))


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


def stop_service(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@contextlib.contextmanager
def running_system(
    settings, log_dir: Path, extra_env: dict[str, str] | None = None
) -> Iterator[RunningSystem]:
    log_dir.mkdir(parents=True, exist_ok=True)
    ports = {service: free_port() for service in SERVICES}
    urls = {service: f"http://127.0.0.1:{port}" for service, port in ports.items()}
    env = service_env(settings, urls, extra_env)
    processes = {
        service: start_service(service, env, log_dir / f"{service}.log", ports[service])
        for service in SERVICES
    }
    try:
        deadline = time.monotonic() + 90
        pending = set(SERVICES)
        while pending and time.monotonic() < deadline:
            for service in list(pending):
                process = processes[service]
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{service} exited: {(log_dir / f'{service}.log').read_text()[-3000:]}"
                    )
                if answers_ok(f"{urls[service]}/health/ready"):
                    pending.discard(service)
            time.sleep(0.2)
        if pending:
            raise RuntimeError(f"not ready: {pending}")
        yield RunningSystem(urls, log_dir, env)
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            stop_service(process)
