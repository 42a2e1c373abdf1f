"""The four services as real processes (uvicorn, the `selvhjelp <service> run` entrypoint) on free ports,
against the test's database and vhost: what the e2e, fuzz and browser tiers drive."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

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


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/health/ready", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


@contextlib.contextmanager
def running_system(
    settings, log_dir: Path, extra_env: dict[str, str] | None = None
) -> Iterator[RunningSystem]:
    log_dir.mkdir(parents=True, exist_ok=True)
    ports = {service: free_port() for service in SERVICES}
    urls = {service: f"http://127.0.0.1:{port}" for service, port in ports.items()}
    env = {
        **os.environ,
        "DATABASE_URL": settings.database_url,
        "RABBITMQ_URL": settings.rabbitmq_url,
        "SIGNING_KEY": settings.signing_key,
        "LOG_JSON": "true",
        "OUTBOX_POLL_SECONDS": "0.1",
        "PLANNING_DEBOUNCE_SECONDS": "1.0",
        "PLANNER_POLL_SECONDS": "0.2",
        **{f"{service.upper()}_URL": url for service, url in urls.items()},
        **(extra_env or {}),
    }
    processes = {}
    for service in SERVICES:
        log = open(log_dir / f"{service}.log", "ab")  # noqa: SIM115 - closed with the process below
        processes[service] = (
            subprocess.Popen(
                [sys.executable, "-m", "shared.cli", service, "run", "--port", str(ports[service])],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            ),
            log,
        )
    try:
        deadline = time.monotonic() + 90
        pending = set(SERVICES)
        while pending and time.monotonic() < deadline:
            for service in list(pending):
                process, _ = processes[service]
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{service} exited: {(log_dir / f'{service}.log').read_text()[-3000:]}"
                    )
                if _ready(urls[service]):
                    pending.discard(service)
            time.sleep(0.2)
        if pending:
            raise RuntimeError(f"not ready: {pending}")
        yield RunningSystem(urls, log_dir, env)
    finally:
        for process, _ in processes.values():
            process.terminate()
        for process, log in processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            log.close()
