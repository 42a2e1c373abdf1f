"""The two ways registrations reach the intake: published to the intake exchange as another system would,
and POSTed over HTTP by a bare HTTP/1.1 client (so the CPU of this machine goes to the server)."""

from __future__ import annotations

import asyncio
import json
import math
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from common import say
from earliest import service_participant_id
from population import envelope

from shared.messaging import INTAKE_EXCHANGE, Publisher


async def publish_all(
    publisher: Publisher,
    envelopes: list[dict[str, Any]],
    published: dict[uuid.UUID, float],
    *,
    rate: float | None = None,
    label: str = "",
) -> float:
    """Publish to the intake, as fast as confirms come back (in windows of 200) or at `rate` per second;
    note each participant's publish time. Returns the rate actually offered."""

    async def one(item: dict[str, Any]) -> None:
        now = time.time()
        published[service_participant_id("external", item["external_ref"])] = now
        body = envelope(item, datetime.fromtimestamp(now, UTC))
        await publisher.publish(INTAKE_EXCHANGE, "registration.submitted.v1", body)

    started = time.time()
    if rate is None:
        for chunk in range(0, len(envelopes), 200):
            await asyncio.gather(*(one(e) for e in envelopes[chunk : chunk + 200]))
    else:
        tasks = []
        for index, item in enumerate(envelopes):
            delay = started + index / rate - time.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(item)))
            if index and index % (int(rate) * 5) == 0:
                say(f"{label}: {index:,}/{len(envelopes):,} published")
        await asyncio.gather(*tasks)
    elapsed = max(published.values()) - started
    return len(envelopes) / elapsed if elapsed > 0 else math.inf


def post_request(port: int, path: str, body: dict[str, Any]) -> bytes:
    payload = json.dumps(body).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode() + payload


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """Status and body of one HTTP/1.1 response with a Content-Length (what uvicorn sends here)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value)
    return int(lines[0].split()[1]), await reader.readexactly(length)


async def post_all(
    port: int, bodies: list[dict[str, Any]], args, label: str
) -> tuple[float, float, list[str]]:
    """POST every body to /api/v1/registrations with `args.concurrency` requests in flight; the rate, the
    seconds and the answers other than 202. The requests are encoded before the clock starts and sent over
    keep-alive connections by a bare HTTP/1.1 client, so the CPU of this machine goes to the server."""
    requests = [post_request(port, "/api/v1/registrations", body) for body in bodies]
    failures: list[str] = []
    answered = 0

    async def worker(share: list[bytes]) -> None:
        nonlocal answered
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            for request in share:
                writer.write(request)
                status, answer = await read_response(reader)
                if status != 202:
                    failures.append(f"{status} {answer[:200]!r}")
                answered += 1
                if answered % 1000 == 0:
                    say(f"{label}: {answered:,}/{len(requests):,} answered")
        finally:
            writer.close()

    c = args.concurrency
    started = time.perf_counter()
    await asyncio.wait_for(asyncio.gather(*(worker(requests[k::c]) for k in range(c))), timeout=args.timeout)
    elapsed = time.perf_counter() - started
    return len(requests) / elapsed, elapsed, failures
