"""The services of a phase as processes of their own, as `selvhjelp <service> run` starts them, on this
machine's servers, with the local SMTP/SMS sinks if the phase sends anything."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from common import BENCH_ENV, PhaseFailed
from machine_limits import Sandbox

from shared.devrun import answers_ok
from shared.devsystem import free_port, service_env, start_service
from shared.settings import Settings


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@dataclass
class Running:
    urls: dict[str, str]
    processes: dict[str, subprocess.Popen]
    log_dir: Path
    smtp_port: int | None = None

    def check_alive(self) -> None:
        for name, process in self.processes.items():
            if process.poll() is not None:
                log = (self.log_dir / f"{name}.log").read_text(errors="replace")[-2000:]
                raise PhaseFailed(f"{name} exited with {process.returncode}: {log}")


@contextlib.contextmanager
def running(
    box: Sandbox, services: tuple[str, ...], log_dir: Path, *, sinks: bool = False
) -> Iterator[Running]:
    """Start `services` (and the local SMTP/SMS sinks) as processes like `selvhjelp <service> run`;
    stop them all afterwards."""
    settings = Settings(
        database_url=box.database_url, rabbitmq_url=box.rabbitmq_url, environment="development"
    )
    ports = {service: free_port() for service in services}
    urls = {service: f"http://127.0.0.1:{port}" for service, port in ports.items()}
    extra = dict(BENCH_ENV)
    processes: dict[str, subprocess.Popen] = {}
    smtp_port = None
    log_dir.mkdir(parents=True, exist_ok=True)
    try:
        if sinks:
            smtp_port, sms_port = free_port(), free_port()
            extra |= {
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(smtp_port),
                "SMS_GATEWAY_URL": f"http://127.0.0.1:{sms_port}/sms",
            }
            with open(log_dir / "sinks.log", "ab") as log:
                processes["sinks"] = subprocess.Popen(
                    [sys.executable, "-m", "shared.cli", "notifications", "sinks"]
                    + ["--smtp-port", str(smtp_port), "--sms-port", str(sms_port)]
                    + ["--mail-dir", str(log_dir / "mail"), "--sms-dir", str(log_dir / "sms")],
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
        env = service_env(settings, urls, extra)
        for service in services:
            processes[service] = start_service(service, env, log_dir / f"{service}.log", ports[service])
        system = Running(urls, processes, log_dir, smtp_port)
        deadline = time.monotonic() + 120
        pending = set(services)
        while pending or (sinks and not port_open(smtp_port or 0)):
            system.check_alive()
            if time.monotonic() > deadline:
                raise PhaseFailed(f"not ready after 120 s: {', '.join(sorted(pending)) or 'sinks'}")
            # 2 s: the machine is loaded while services start during a run
            pending = {s for s in pending if not answers_ok(f"{urls[s]}/health/ready", timeout=2)}
            time.sleep(0.3)
        yield system
    finally:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=40)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
