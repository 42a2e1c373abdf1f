"""Dead-lettered messages hold personal data too: under the generated definitions' DLQ policy they expire
after `dlq_message_ttl_days` (here shortened to a second), on a real broker."""

from __future__ import annotations

import asyncio
import secrets
import urllib.parse
import uuid

import aio_pika
import httpx
import pytest

from shared.messaging.definitions import USERS, build_definitions
from shared.messaging.topology import DEAD_LETTER_EXCHANGE, TOPOLOGY
from shared.settings import Settings

pytestmark = pytest.mark.integration


def test_the_committed_policy_expires_dead_letters_after_the_configured_days():
    (policy,) = build_definitions()["policies"]
    assert policy["definition"]["message-ttl"] == Settings().dlq_message_ttl_days * 86_400_000


async def test_a_dead_lettered_message_expires_under_the_dlq_policy(servers):
    tag = uuid.uuid4().hex[:10]
    vhost, prefix = f"t_ttl_{tag}", f"t_{tag}_"
    passwords = {user: secrets.token_urlsafe(16) for user in USERS}
    definitions = build_definitions(
        vhost=vhost, user_prefix=prefix, passwords=passwords, dlq_message_ttl_ms=1000, partners=[]
    )
    queue = TOPOLOGY.queues[0]
    base = urllib.parse.urlsplit(servers.rabbitmq_url)
    admin_url = urllib.parse.urlunsplit((base.scheme, base.netloc, f"/{vhost}", "", ""))
    async with httpx.AsyncClient(
        base_url=servers.management_url, auth=servers.management_auth, timeout=60
    ) as api:
        try:
            (await api.post("/api/definitions", json=definitions)).raise_for_status()
            connection = await aio_pika.connect(admin_url, timeout=15)
            async with connection:
                channel = await connection.channel(publisher_confirms=True)
                exchange = await channel.get_exchange(DEAD_LETTER_EXCHANGE, ensure=False)
                dlq = await channel.get_queue(queue.dead_letter_queue, ensure=False)
                for body in (b"kept for a look", b"expired"):
                    await exchange.publish(aio_pika.Message(body), routing_key=queue.name, timeout=10)

                first = await dlq.get(fail=False, timeout=10)
                assert first is not None and first.body == b"kept for a look"  # there until the TTL
                await first.ack()
                await asyncio.sleep(3)
                assert await dlq.get(fail=False, timeout=10) is None
        finally:
            await api.delete(f"/api/vhosts/{vhost}")
            for user in USERS:
                await api.delete(f"/api/users/{prefix}{user}")
