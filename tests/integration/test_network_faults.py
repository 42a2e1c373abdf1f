"""Network faults between the services and their broker and database, injected by a TCP proxy: latency,
connection resets and stalls. Nothing is lost, nothing is doubled, and the flow catches up within 30 s
of the fault ending."""

from __future__ import annotations

import asyncio
import time
import urllib.parse

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from services.grouping.app import create_service as create_grouping
from services.grouping.models import pool
from services.registration.app import create_service as create_registration
from services.registration.models import registrations
from shared.messaging import INTAKE_EXCHANGE
from tests.support import eventually
from tests.support.bus import publish
from tests.support.factories import submitted_envelope
from tests.support.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PER_PHASE = 40
RECOVERY_LIMIT_SECONDS = 30


def _through(url: str, proxy: TcpProxy, *, amqp: bool) -> str:
    if amqp:
        parts = urllib.parse.urlsplit(url)
        netloc = f"{parts.username}:{parts.password}@127.0.0.1:{proxy.port}"
        return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


async def _count(service, table) -> int:
    async with service.sessions() as session:
        return await session.scalar(select(func.count()).select_from(table))


async def test_latency_resets_and_stalls_lose_nothing_and_the_flow_recovers_within_30_s(settings):
    db, mq = make_url(settings.database_url), urllib.parse.urlsplit(settings.rabbitmq_url)
    db_proxy = await TcpProxy(db.host, db.port).start()
    mq_proxy = await TcpProxy(mq.hostname, mq.port).start()
    proxied = settings.model_copy(
        update={
            "database_url": _through(settings.database_url, db_proxy, amqp=False),
            "rabbitmq_url": _through(settings.rabbitmq_url, mq_proxy, amqp=True),
            "planning_debounce_seconds": 3600,
        }
    )
    registration, grouping = create_registration(proxied), create_grouping(proxied)
    proxies = (db_proxy, mq_proxy)
    try:
        await registration.start()
        await grouping.start()

        for proxy in proxies:
            proxy.latency = 0.02
        await publish(settings, INTAKE_EXCHANGE, *(submitted_envelope() for _ in range(PER_PHASE)))
        await asyncio.sleep(2)
        for proxy in proxies:
            proxy.latency = 0

        for proxy in proxies:
            proxy.cut()
        await publish(settings, INTAKE_EXCHANGE, *(submitted_envelope() for _ in range(PER_PHASE)))
        await asyncio.sleep(3)
        for proxy in proxies:
            proxy.restore()

        for proxy in proxies:
            proxy.stall()
        await publish(settings, INTAKE_EXCHANGE, *(submitted_envelope() for _ in range(PER_PHASE)))
        await asyncio.sleep(3)
        for proxy in proxies:
            proxy.flow()
        fault_ended = time.monotonic()

        total = 3 * PER_PHASE
        await eventually(lambda: _at_least(grouping, total), timeout=RECOVERY_LIMIT_SECONDS + 30)
        recovered_after = time.monotonic() - fault_ended
        assert await _count(registration, registrations) == total
        assert await _count(grouping, pool) == total
        assert recovered_after < RECOVERY_LIMIT_SECONDS, f"caught up {recovered_after:.1f} s after the fault"
    finally:
        for proxy in proxies:
            proxy.flow()
            proxy.restore()
        await grouping.stop()
        await registration.stop()
        for proxy in proxies:
            await proxy.stop()


async def _at_least(service, expected: int) -> bool:
    return await _count(service, pool) >= expected
