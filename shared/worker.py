"""One polling worker for every background loop: the outbox relay, the planner, the calendar jobs, the
sender's lanes, retention and the backlog probe.

A worker runs a pass, then waits for the poll interval or until woken, and runs the next. All due work
lives in PostgreSQL, so the loop only decides when to look again:

- a pass returns `RUN_AGAIN` when there may be more right away (a full batch), `None` to wait the poll
  interval, or the seconds until it next wants to run when that is sooner (the planner sleeps until the
  next planning request falls due). A pass never waits longer than the poll interval, and `wake()` always
  cuts the wait short;
- a pass that fails is logged (`on_error`) and the loop waits the poll interval before the next: a
  database or broker outage must not end the loop, nor make it spin;
- `coalesce_seconds` lets a burst of wakes land before the pass they trigger (the relay: one pass then
  carries many events, not one).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

# What a pass returns: seconds until it wants to run again (RUN_AGAIN: at once), or None for the poll.
NextRun = float | None
RUN_AGAIN: NextRun = 0.0


def log_warning(logger: logging.Logger, message: str, **extra: object) -> Callable[[Exception], None]:
    """An `on_error` that logs one warning with the error's type (never its text: it may hold personal
    data) and `extra`."""

    def on_error(error: Exception) -> None:
        logger.warning(message, extra={"error": type(error).__name__, **extra})

    return on_error


class PollingWorker:
    def __init__(
        self,
        name: str,
        run_pass: Callable[[], Awaitable[NextRun]],
        *,
        poll_seconds: float,
        on_error: Callable[[Exception], None],
        coalesce_seconds: float = 0.0,
    ) -> None:
        self.name = name
        self.run_pass = run_pass
        self.poll_seconds = poll_seconds
        self.on_error = on_error
        self.coalesce_seconds = coalesce_seconds
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._loop(), name=self.name)

    async def stop(self, grace_seconds: float | None = None) -> None:
        """Cancel the loop, even in the middle of a pass. With `grace_seconds`, first let the pass in hand
        finish (for up to that long): the sender must not cancel a message sent but not yet recorded."""
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping.set()
        if grace_seconds is not None:
            self.wake()
            with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=grace_seconds)  # cancels it on timeout
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    def wake(self) -> None:
        """Run the next pass now instead of at the end of the poll interval."""
        self._wake.set()

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def stopping(self) -> bool:
        """True once `stop` was called: a long pass may end early (after the chunk in hand)."""
        return self._stopping.is_set()

    async def run_once(self) -> NextRun:
        """One pass as the loop runs it: an error is handed to `on_error`, not raised (then None)."""
        try:
            return await self.run_pass()
        except Exception as error:  # database or broker down: keep the loop alive, try again later
            self.on_error(error)
            return None

    async def _loop(self) -> None:
        while not self._stopping.is_set():
            next_run = await self.run_once()
            if next_run is not None and next_run <= 0:
                continue  # there may be more right away; a wake meanwhile stays set for the next wait
            await self._wait(self.poll_seconds if next_run is None else min(next_run, self.poll_seconds))

    async def _wait(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._wake.wait(), timeout=timeout)
            if self.coalesce_seconds:
                await asyncio.sleep(self.coalesce_seconds)
        except TimeoutError:
            pass
        self._wake.clear()
