"""What the bench reads from /proc: resident memory and CPU time of a process and its descendants, the
peak memory of the services while a phase runs, and the CPU cost per operation of a limit."""

from __future__ import annotations

import contextlib
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import text

from shared.local_servers import LocalPorts, rabbitmq_pids


def status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def process_tree(pid: int) -> list[int]:
    """The process and its descendants (a planner pool, if any)."""
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError, ValueError):
                pending += [int(child) for child in task.read_text().split()]
    return found


async def server_pids(engine) -> dict[str, list[int]]:
    """PostgreSQL's postmaster (the parent of our own backend) and RabbitMQ's processes, for CPU time."""
    found: dict[str, list[int]] = {"rabbitmq": rabbitmq_pids(LocalPorts().amqp)}
    with contextlib.suppress(Exception):
        async with engine.connect() as connection:
            backend = (await connection.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        found["postgres"] = [status_kb(backend, "PPid")]
    return {name: pids for name, pids in found.items() if pids and all(pids)}


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (and its waited-for children) so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


class MemorySampler:
    """Peak resident memory of each service's process tree: sampled every half second, and VmHWM (the
    kernel's own peak) of the main process at the end, whichever is higher. Also the CPU time each used."""

    def __init__(self, pids: dict[str, int], servers: dict[str, list[int]] | None = None) -> None:
        self.pids = pids
        self.servers = servers or {}
        self.peak_kb = dict.fromkeys(pids, 0)
        self.cpu_start = self._cpu()
        self.cpu: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _cpu(self) -> dict[str, float]:
        used = {name: sum(cpu_seconds(p) for p in process_tree(pid)) for name, pid in self.pids.items()}
        for name, roots in self.servers.items():
            used[name] = sum(cpu_seconds(p) for p in {p for root in roots for p in process_tree(root)})
        return used

    def _sample(self) -> None:
        for name, pid in self.pids.items():
            rss = sum(status_kb(p, "VmRSS") for p in process_tree(pid))
            self.peak_kb[name] = max(self.peak_kb[name], rss, status_kb(pid, "VmHWM"))

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sample()
        self.cpu = {name: seconds - self.cpu_start[name] for name, seconds in self._cpu().items()}
        self._stop.set()
        self._thread.join()

    def peak_mb(self) -> dict[str, float]:
        return {name: kb / 1024 for name, kb in self.peak_kb.items()}


class CpuPerOperation:
    """CPU-ms per operation of a limit, for RabbitMQ, PostgreSQL and this (the client's) process: the cost
    side of the limits, which says how many of them two cores could carry at once."""

    def __init__(self, servers: dict[str, list[int]]) -> None:
        self.servers = servers
        self.figures: dict[str, float] = {}

    def _now(self) -> dict[str, float]:
        used = {
            name: sum(cpu_seconds(p) for p in {p for r in roots for p in process_tree(r)})
            for name, roots in self.servers.items()
        }
        return used | {"client": time.process_time()}

    @contextlib.contextmanager
    def measure(self, key: str, operations: Callable[[], int]) -> Iterator[None]:
        before = self._now()
        yield
        after, n = self._now(), operations()
        for name, start in before.items():
            self.figures[f"{key}_cpu_{name}"] = (after[name] - start) * 1000 / n if n else math.nan
