"""The four services as real processes (uvicorn, the `selvhjelp <service> run` entrypoint) on free ports,
against the test's database and vhost: what the e2e, fuzz and browser tiers drive."""

from __future__ import annotations

import contextlib
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from shared.devrun import answers_ok
from shared.devsystem import free_port, service_env, start_service
from shared.messaging.topology import SERVICES

Launcher = Callable[[str, dict[str, str], Path, int], subprocess.Popen]


@dataclass
class RunningSystem:
    urls: dict[str, str]
    log_dir: Path
    env: dict[str, str]

    def url(self, service: str) -> str:
        return self.urls[service]

    def logs(self) -> str:
        return "\n".join(p.read_text(errors="replace") for p in sorted(self.log_dir.glob("*.log")))


def stop_service(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


@contextlib.contextmanager
def running_system(
    settings, log_dir: Path, extra_env: dict[str, str] | None = None, launch: Launcher = start_service
) -> Iterator[RunningSystem]:
    """`launch` starts one service (as a process of this checkout by default; the image test passes one that
    runs the service's container)."""
    log_dir.mkdir(parents=True, exist_ok=True)
    ports = {service: free_port() for service in SERVICES}
    urls = {service: f"http://127.0.0.1:{port}" for service, port in ports.items()}
    env = service_env(settings, urls, extra_env)
    processes = {
        service: launch(service, env, log_dir / f"{service}.log", ports[service]) for service in SERVICES
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
