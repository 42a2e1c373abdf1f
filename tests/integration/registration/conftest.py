"""Fixtures of the registration service's integration tests: the app, started for real against the test's
own PostgreSQL database and RabbitMQ vhost, and an HTTP client talking to it in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.registration.app import create_app
from tests.support import running


@pytest.fixture
async def registration_app(settings):
    app = create_app(settings)
    async with running(app.state.service):
        yield app


@pytest.fixture
async def client(registration_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=registration_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registration.test") as http:
        yield http


class Probe:
    """Reads the registration service's tables the way a test needs them."""

    def __init__(self, service) -> None:
        self.service = service

    async def scalar(self, query):
        async with self.service.sessions() as session:
            return await session.scalar(query)

    async def rows(self, query) -> list:
        async with self.service.sessions() as session:
            return list((await session.execute(query)).all())

    async def events(self, event_type: str) -> list[dict]:
        """Payloads of the events of one type in the outbox, oldest first."""
        from sqlalchemy import select

        from services.registration.models import outbox

        rows = await self.rows(
            select(outbox.c.payload).where(outbox.c.event_type == event_type).order_by(outbox.c.id)
        )
        return [r.payload for r in rows]


@pytest.fixture
def probe(registration_app) -> Probe:
    return Probe(registration_app.state.service)


@pytest.fixture
async def published(settings):
    """Every event the registration service publishes, as RabbitMQ delivers it to a queue of our own."""
    import json

    import aio_pika

    received: list[dict] = []
    connection = await aio_pika.connect_robust(settings.rabbitmq_url)
    channel = await connection.channel()
    exchange = await channel.declare_exchange(
        "selvhjelp.registration", aio_pika.ExchangeType.TOPIC, durable=True
    )
    queue = await channel.declare_queue(exclusive=True, auto_delete=True)
    await queue.bind(exchange, "#")

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        async with message.process():
            received.append(json.loads(message.body))

    await queue.consume(on_message)
    try:
        yield received
    finally:
        await connection.close()
