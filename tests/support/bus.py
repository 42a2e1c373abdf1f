"""Publishing test events straight onto the bus, as another service or an outside system would."""

from __future__ import annotations

from typing import Any

from shared.messaging import Publisher, declare_topology
from shared.messaging.topology import TOPOLOGY


async def publish(settings, exchange: str, *envelopes: Any) -> None:
    """Publish envelopes (models, dicts or raw bytes) over one connection, confirmed, in order."""
    publisher = Publisher(settings.rabbitmq_url)
    await publisher.connect()
    try:
        await declare_topology(publisher.channel, TOPOLOGY.queues, settings.delivery_limit)
        for envelope in envelopes:
            body = envelope if isinstance(envelope, dict | bytes) else envelope.model_dump(mode="json")
            event_type = body["event_type"] if isinstance(body, dict) else "raw"
            await publisher.publish(exchange, event_type, body)
    finally:
        await publisher.close()
