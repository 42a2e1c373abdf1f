"""The polling worker behind every background loop, on a real event loop with short waits."""

from __future__ import annotations

import asyncio
import logging
import time

import pytest

from shared.worker import RUN_AGAIN, NextRun, PollingWorker, log_warning

pytestmark = pytest.mark.unit

LONG_POLL = 30.0  # longer than any test: a pass that runs early was woken or asked for it


class Passes:
    """A pass that records when it ran and returns (or raises) what the test lines up."""

    def __init__(self, *results: NextRun | Exception) -> None:
        self.results = list(results)
        self.times: list[float] = []
        self.ran = asyncio.Event()

    async def __call__(self) -> NextRun:
        self.times.append(time.monotonic())
        self.ran.set()
        result = self.results.pop(0) if self.results else None
        if isinstance(result, Exception):
            raise result
        return result

    async def wait_for_runs(self, count: int, timeout: float = 2.0) -> None:
        async def enough() -> None:
            while len(self.times) < count:
                self.ran.clear()
                await self.ran.wait()

        await asyncio.wait_for(enough(), timeout)


def worker_for(passes: Passes, poll_seconds: float = LONG_POLL, **options) -> PollingWorker:
    return PollingWorker("test-worker", passes, poll_seconds=poll_seconds, on_error=lambda _: None, **options)


async def test_wake_runs_the_next_pass_at_once_instead_of_after_the_poll() -> None:
    passes = Passes()
    worker = worker_for(passes)
    worker.start()
    try:
        await passes.wait_for_runs(1)
        await asyncio.sleep(0.05)
        assert len(passes.times) == 1  # waiting for the poll
        worker.wake()
        await passes.wait_for_runs(2, timeout=0.5)
    finally:
        await worker.stop()


async def test_the_poll_interval_runs_the_next_pass_without_a_wake() -> None:
    passes = Passes()
    worker = worker_for(passes, poll_seconds=0.05)
    worker.start()
    try:
        await passes.wait_for_runs(3, timeout=1.0)
    finally:
        await worker.stop()


async def test_stop_ends_the_loop_while_it_waits() -> None:
    passes = Passes()
    worker = worker_for(passes)
    worker.start()
    await passes.wait_for_runs(1)
    assert worker.running
    await asyncio.wait_for(worker.stop(), timeout=0.5)
    assert not worker.running
    assert len(passes.times) == 1


async def test_stop_with_grace_lets_the_pass_in_hand_finish() -> None:
    finished = []

    async def slow_pass() -> NextRun:
        await asyncio.sleep(0.1)
        finished.append(True)
        return None

    worker = PollingWorker("slow", slow_pass, poll_seconds=LONG_POLL, on_error=lambda _: None)
    worker.start()
    await asyncio.sleep(0.01)  # the pass is under way
    await worker.stop(grace_seconds=1.0)
    assert finished == [True]
    assert worker.stopping and not worker.running


async def test_stop_without_grace_cancels_the_pass_in_hand() -> None:
    finished = []

    async def slow_pass() -> NextRun:
        await asyncio.sleep(1.0)
        finished.append(True)
        return None

    worker = PollingWorker("slow", slow_pass, poll_seconds=LONG_POLL, on_error=lambda _: None)
    worker.start()
    await asyncio.sleep(0.01)
    await asyncio.wait_for(worker.stop(), timeout=0.5)
    assert finished == []


async def test_a_failing_pass_is_logged_and_the_next_pass_runs(caplog) -> None:
    passes = Passes(ConnectionRefusedError("database down"), None)
    log = logging.getLogger("selvhjelp.test.worker")
    worker = PollingWorker(
        "test-worker", passes, poll_seconds=0.05, on_error=log_warning(log, "test pass failed", lane="x")
    )
    with caplog.at_level(logging.WARNING, logger="selvhjelp.test.worker"):
        worker.start()
        try:
            await passes.wait_for_runs(2, timeout=1.0)
        finally:
            await worker.stop()
    [record] = [r for r in caplog.records if r.name == "selvhjelp.test.worker"]
    assert record.getMessage() == "test pass failed"
    assert (record.error, record.lane) == ("ConnectionRefusedError", "x")  # the type, never the text
    # After a failure the loop waits the poll interval (no spinning against a database that is down).
    assert passes.times[1] - passes.times[0] >= 0.04


async def test_run_once_hands_an_error_to_on_error_instead_of_raising() -> None:
    errors: list[Exception] = []
    passes = Passes(ValueError("bug"), 0.25)
    worker = PollingWorker("test-worker", passes, poll_seconds=LONG_POLL, on_error=errors.append)
    assert await worker.run_once() is None
    assert [type(e) for e in errors] == [ValueError]
    assert await worker.run_once() == 0.25


async def test_a_pass_that_may_have_more_runs_again_at_once() -> None:
    passes = Passes(RUN_AGAIN, RUN_AGAIN, None)
    worker = worker_for(passes)
    worker.start()
    try:
        await passes.wait_for_runs(3, timeout=0.5)
        await asyncio.sleep(0.05)
        assert len(passes.times) == 3  # then it waits for the poll
    finally:
        await worker.stop()


async def test_the_pass_s_own_next_run_is_honoured_when_sooner_than_the_poll() -> None:
    passes = Passes(0.1, None)
    worker = worker_for(passes)
    worker.start()
    try:
        await passes.wait_for_runs(2, timeout=1.0)
        assert 0.09 <= passes.times[1] - passes.times[0] < 1.0
    finally:
        await worker.stop()


async def test_a_next_run_later_than_the_poll_waits_only_the_poll() -> None:
    passes = Passes(LONG_POLL, None)
    worker = worker_for(passes, poll_seconds=0.05)
    worker.start()
    try:
        await passes.wait_for_runs(2, timeout=1.0)
    finally:
        await worker.stop()


async def test_wakes_during_the_coalescing_pause_make_one_pass() -> None:
    passes = Passes()
    worker = worker_for(passes, coalesce_seconds=0.05)
    worker.start()
    try:
        await passes.wait_for_runs(1)
        worker.wake()
        await asyncio.sleep(0.02)  # in the pause: these land in the pass the first wake brings
        worker.wake()
        worker.wake()
        await passes.wait_for_runs(2, timeout=0.5)
        await asyncio.sleep(0.1)
        assert len(passes.times) == 2
    finally:
        await worker.stop()


async def test_a_stopped_worker_starts_again() -> None:
    passes = Passes()
    worker = worker_for(passes)
    worker.start()
    await passes.wait_for_runs(1)
    await worker.stop()
    worker.start()
    try:
        await passes.wait_for_runs(2)
        assert worker.running and not worker.stopping
    finally:
        await worker.stop()
