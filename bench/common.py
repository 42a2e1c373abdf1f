"""What every part of the speed bench (bench/speed.py) shares: the services and how they run here, the
targets, progress on stderr, a phase's failure, percentiles and polling."""

from __future__ import annotations

import asyncio
import math
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

SERVICES = ("registration", "grouping", "calendar", "notifications")

# What the services run with here (everything else is the production default of shared/settings.py).
BENCH_ENV = {
    "LOG_LEVEL": "WARNING",
    "LOG_JSON": "true",
    "PLANNING_DEBOUNCE_SECONDS": "0.5",
    "PLANNER_POLL_SECONDS": "0.2",
    "OUTBOX_POLL_SECONDS": "0.1",
    "NOTIFICATION_POLL_SECONDS": "0.2",
    "CALENDAR_POLL_SECONDS": "0.5",
    # The pipeline's speed, comparable with earlier runs: every group forms the moment it is possible.
    # The default policy ("lasting") holds some back by design; bench/lasting.py measures what it does.
    "GROUPING_POLICY": "asap",
    # The intake is measured, not its abuse limits (thousands of requests from one client).
    "REGISTRATION_RATE_LIMIT_PER_CLIENT": "",
    "REGISTRATION_RATE_LIMIT_PER_CONTACT": "",
}

TARGETS = {"intake": 0.5, "e2e": 0.2, "p99": 2.0, "rss_mb": 250.0}


def code_version() -> str:
    """The commit the services ran from, and whether shared/ or services/ had uncommitted changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--", "shared", "services"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" with uncommitted changes in shared/ or services/" if dirty else "")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class PhaseFailed(RuntimeError):
    """A phase that did not finish in its time; the message says how far it got."""


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"p50": math.nan, "p95": math.nan, "p99": math.nan}
    if len(values) == 1:
        return dict.fromkeys(("p50", "p95", "p99"), values[0])
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return {"p50": cuts[49], "p95": cuts[94], "p99": cuts[98]}


async def wait_until(
    what: str,
    check: Callable[[], Any],
    *,
    timeout: float,
    every: float = 0.2,
    alive: Callable[[], None] | None = None,
) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = await check()
        if result:
            return result
        if alive:
            alive()
        if time.monotonic() > deadline:
            raise PhaseFailed(f"{what}: not done after {timeout:.0f} s")
        await asyncio.sleep(every)
