"""Helpers shared by integration and end-to-end tests."""

from __future__ import annotations

import asyncio
import contextlib
import inspect
from collections.abc import AsyncIterator


@contextlib.asynccontextmanager
async def running(service) -> AsyncIterator[object]:
    await service.start()
    try:
        yield service
    finally:
        await service.stop()


async def eventually(check, timeout: float = 15.0, interval: float = 0.1):
    """Poll a check (sync or async) until it returns a truthy value; fail with the last value otherwise."""
    deadline = asyncio.get_running_loop().time() + timeout
    last = None
    while asyncio.get_running_loop().time() < deadline:
        last = check()
        if inspect.isawaitable(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s (last value: {last!r})")
