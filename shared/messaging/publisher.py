"""Persistent, confirmed, mandatory publishing and topology declaration over aio-pika.

FastStream consumes; this module publishes, because the outbox relay needs confirms and an error on an
unroutable message (`on_return_raises`), which must not depend on a framework default.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import aio_pika
from aio_pika.abc import AbstractChannel, AbstractExchange, AbstractRobustConnection

from .connection import connect_robust
from .topology import DEAD_LETTER_EXCHANGE, EXCHANGES, QueueSpec


async def declare_topology(
    channel: AbstractChannel, queues: tuple[QueueSpec, ...], delivery_limit: int
) -> None:
    exchanges = {}
    for name in EXCHANGES:
        exchanges[name] = await channel.declare_exchange(name, aio_pika.ExchangeType.TOPIC, durable=True)
    dlx = await channel.declare_exchange(DEAD_LETTER_EXCHANGE, aio_pika.ExchangeType.DIRECT, durable=True)
    for spec in queues:
        dlq = await channel.declare_queue(
            spec.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await dlq.bind(dlx, routing_key=spec.name)
        queue = await channel.declare_queue(spec.name, durable=True, arguments=spec.arguments(delivery_limit))
        for exchange, routing_key in spec.bindings:
            await queue.bind(exchanges[exchange], routing_key=routing_key)


class Publisher:
    def __init__(self, url: str) -> None:
        self._url = url
        # Every message names its publisher in `user_id` (the broker refuses a wrong one): the intake
        # takes nothing without it. None when the URL names no user (e.g. certificate authentication).
        self._user_id = urllib.parse.unquote(urllib.parse.urlsplit(url).username or "") or None
        self._connection: AbstractRobustConnection | None = None
        self._channel: AbstractChannel | None = None
        self._exchanges: dict[str, AbstractExchange] = {}

    async def connect(self) -> None:
        self._connection = await connect_robust(self._url, client_properties={"connection_name": "outbox"})
        self._channel = await self._connection.channel(publisher_confirms=True, on_return_raises=True)

    @property
    def channel(self) -> AbstractChannel:
        if self._channel is None:
            raise RuntimeError("Publisher.connect() was not called")
        return self._channel

    @property
    def is_connected(self) -> bool:
        return self._connection is not None and not self._connection.is_closed

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
        self._connection = None
        self._channel = None
        self._exchanges.clear()

    async def _exchange(self, name: str) -> AbstractExchange:
        if name not in self._exchanges:
            self._exchanges[name] = await self.channel.get_exchange(name, ensure=False)
        return self._exchanges[name]

    async def publish(
        self,
        exchange: str,
        routing_key: str,
        body: bytes | dict[str, Any],
        *,
        message_id: str | None = None,
        correlation_id: str | None = None,
        headers: dict[str, Any] | None = None,
    ) -> None:
        """Return only when the broker confirmed; raise on nack or when no queue is bound (unroutable)."""
        payload = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
        message = aio_pika.Message(
            payload,
            content_type="application/json",
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
            message_id=message_id,
            correlation_id=correlation_id,
            type=routing_key,
            user_id=self._user_id,
            headers=headers or {},
        )
        target = await self._exchange(exchange)
        await target.publish(message, routing_key=routing_key, mandatory=True, timeout=10)
