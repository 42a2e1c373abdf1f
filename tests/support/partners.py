"""Partner systems on the test's own vhost: broker users with exactly the permissions the generated
definitions give a partner (shared/messaging/definitions.py), and a client that publishes and reads as one."""

from __future__ import annotations

import json
import secrets
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import Any

import aio_pika
import httpx

from shared.messaging.definitions import permission_of
from shared.messaging.topology import INTAKE_EXCHANGE, partner_reply_queue, topology_with_partners


@dataclass(frozen=True)
class PartnerUser:
    name: str
    password: str
    amqp_url: str

    @property
    def queue(self) -> str:
        return partner_reply_queue(self.name).name

    async def publish(
        self, envelope: dict[str, Any], *, user_id: str | None = "own", exchange: str = INTAKE_EXCHANGE
    ) -> None:
        """Publish as this partner, confirmed; `user_id` "own" sets its own name, None leaves it out."""
        connection = await aio_pika.connect(self.amqp_url, timeout=15)
        async with connection:
            channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
            target = await channel.get_exchange(exchange, ensure=False)
            message = aio_pika.Message(
                json.dumps(envelope).encode(),
                content_type="application/json",
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                message_id=envelope.get("event_id"),
                user_id=self.name if user_id == "own" else user_id,
            )
            await target.publish(message, routing_key="registration.submitted.v1", mandatory=True, timeout=10)

    async def take(self, queue: str | None = None) -> list[dict[str, Any]]:
        """Every message now on a queue (its own by default), acknowledged, as envelopes."""
        connection = await aio_pika.connect(self.amqp_url, timeout=15)
        taken = []
        async with connection:
            channel = await connection.channel()
            target = await channel.get_queue(queue or self.queue, ensure=False)
            while (message := await target.get(fail=False, timeout=10)) is not None:
                await message.ack()
                taken.append(json.loads(message.body))
        return taken


async def create_partner_users(servers, rabbitmq_url: str, names: list[str]) -> list[PartnerUser]:
    """Broker users named like the partners, allowed on the test's vhost what a partner is allowed."""
    base = urllib.parse.urlsplit(rabbitmq_url)
    vhost = base.path.lstrip("/")
    topology = topology_with_partners(names)
    users = []
    async with httpx.AsyncClient(
        base_url=servers.management_url, auth=servers.management_auth, timeout=30
    ) as api:
        for name in names:
            password = secrets.token_urlsafe(16)
            (await api.put(f"/api/users/{name}", json={"password": password, "tags": ""})).raise_for_status()
            permission = permission_of(name, topology)
            (
                await api.put(
                    f"/api/permissions/{vhost}/{name}",
                    json={
                        "configure": permission.configure,
                        "write": permission.write,
                        "read": permission.read,
                    },
                )
            ).raise_for_status()
            netloc = f"{name}:{password}@{base.hostname}:{base.port}"
            users.append(
                PartnerUser(name, password, urllib.parse.urlunsplit(("amqp", netloc, base.path, "", "")))
            )
    return users


async def delete_partner_users(servers, names: list[str]) -> None:
    async with httpx.AsyncClient(
        base_url=servers.management_url, auth=servers.management_auth, timeout=30
    ) as api:
        for name in names:
            await api.delete(f"/api/users/{name}")


def unique_partner_names(count: int) -> list[str]:
    """Broker users are global to the broker: names no other test (or test run) uses at the same time."""
    tag = uuid.uuid4().hex[:8]
    return [f"kommune-{letter}-{tag}" for letter in "abcdefgh"[:count]]
