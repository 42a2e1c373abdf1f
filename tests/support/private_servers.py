"""A RabbitMQ or PostgreSQL of a test's own, so fault tests can SIGKILL it without touching the servers
other tests share. Same packages as `.run/`; data lives in the test's tmp directory."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from shared.devsystem import free_port
from shared.local_servers import (
    PG_BIN,
    LocalPorts,
    _as_postgres_user,
    postgres_data_dir,
    rabbitmq_pids,
    start_postgres,
    start_rabbitmq,
)


def _wait_closed(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"port {port} still accepts connections {timeout:.0f} s after the kill")


@dataclass
class PrivateRabbitMQ:
    run_dir: Path
    ports: LocalPorts
    extra_config: tuple[str, ...] = ()

    @classmethod
    def create(cls, base: Path) -> PrivateRabbitMQ:
        ports = LocalPorts(postgres=0, amqp=free_port(), rabbit_dist=free_port(), management=free_port())
        return cls(base, ports)

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.ports.amqp}/"

    def start(self) -> None:
        start_rabbitmq(self.run_dir, self.ports, self.extra_config)

    def _pids(self) -> list[int]:
        return rabbitmq_pids(self.ports.amqp)

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, unflushed state is whatever the disk has."""
        pids = self._pids()
        if not pids:
            raise RuntimeError(f"no broker process found for port {self.ports.amqp}")
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _wait_closed(self.ports.amqp)

    def stop(self) -> None:
        self.kill()


@dataclass
class PrivatePostgres:
    run_dir: Path
    port: int
    extra_options: str = ""

    @classmethod
    def create(cls, base: Path) -> PrivatePostgres:
        base.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            os.chmod(base, 0o777)  # the postgres user creates its data directory here
        return cls(base, free_port())

    @property
    def admin_url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        start_postgres(self.run_dir, self.port, self.extra_options)

    def kill(self) -> None:
        """Like a crash: the postmaster is SIGKILLed; PostgreSQL recovers from its WAL on the next start."""
        data = postgres_data_dir(self.run_dir)
        pid_file = data / "postmaster.pid"
        if pid_file.exists():
            pid = int(pid_file.read_text().split()[0])
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            # Backends notice the postmaster is gone and exit; wait until the port is free.
            subprocess.run(["pkill", "-9", "-f", f"postgres.*{data}"], check=False)
        _wait_closed(self.port)

    def stop(self) -> None:
        subprocess.run(
            _as_postgres_user(
                [
                    str(PG_BIN / "pg_ctl"),
                    "-D",
                    str(postgres_data_dir(self.run_dir)),
                    "-m",
                    "immediate",
                    "stop",
                ]
            ),
            check=False,
            capture_output=True,
        )
