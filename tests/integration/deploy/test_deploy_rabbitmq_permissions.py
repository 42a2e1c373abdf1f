"""The generated RabbitMQ definitions, loaded into a real broker: the topology is what the code declares,
and each user can do its own job and nothing else (ACCESS_REFUSED)."""

from __future__ import annotations

import json
import urllib.parse
import uuid

import aio_pika
import httpx
import pytest
from aiormq.exceptions import ChannelAccessRefused, ChannelPreconditionFailed

from shared.messaging.definitions import build_definitions, users_with_partners
from shared.messaging.topology import (
    DEAD_LETTER_EXCHANGE,
    INTAKE_EXCHANGE,
    TOPOLOGY,
    exchange_of,
    reply_routing_key,
    topology_with_partners,
)
from tests.support import eventually

pytestmark = pytest.mark.integration


def _message(routing_key: str, user_id: str | None = None) -> aio_pika.Message:
    body = {"event_id": str(uuid.uuid4()), "event_type": routing_key, "data": {}}
    return aio_pika.Message(
        json.dumps(body).encode(), delivery_mode=aio_pika.DeliveryMode.PERSISTENT, user_id=user_id
    )


async def _connect(loaded, user: str) -> aio_pika.abc.AbstractConnection:
    return await aio_pika.connect(loaded.url_of(user), timeout=15)


async def _publish(loaded, user: str, exchange: str, routing_key: str, user_id: str | None = None) -> None:
    connection = await _connect(loaded, user)
    async with connection:
        channel = await connection.channel(publisher_confirms=True, on_return_raises=True)
        target = await channel.get_exchange(exchange, ensure=False)
        message = _message(routing_key, user_id)
        await target.publish(message, routing_key=routing_key, mandatory=True, timeout=10)


async def _get_one(loaded, user: str, queue_name: str) -> aio_pika.abc.AbstractIncomingMessage | None:
    connection = await _connect(loaded, user)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name, ensure=False)
        message = await queue.get(fail=False, timeout=10)
        if message is not None:
            await message.ack()
        return message


async def test_the_loaded_topology_has_every_queue_as_quorum_with_its_dlq_under_the_dlq_policy(
    loaded_definitions,
):
    api, vhost = loaded_definitions.management, loaded_definitions.vhost
    topology = topology_with_partners(loaded_definitions.partners)
    expected = {q.name for q in topology.queues} | {q.dead_letter_queue for q in topology.queues}

    async def queues() -> dict[str, dict] | None:
        listed = {q["name"]: q for q in (await api.get(f"/api/queues/{vhost}")).json()}
        dlqs = [listed.get(q.dead_letter_queue, {}) for q in topology.queues]
        return listed if all(d.get("policy") == "selvhjelp-dead-letter-queues" for d in dlqs) else None

    listed = await eventually(queues)
    assert set(listed) == expected
    assert {q["type"] for q in listed.values()} == {"quorum"}
    exchanges = {e["name"]: e["type"] for e in (await api.get(f"/api/exchanges/{vhost}")).json()}
    assert exchanges[DEAD_LETTER_EXCHANGE] == "direct"
    assert exchanges[INTAKE_EXCHANGE] == "topic"
    granted = {p["user"] for p in (await api.get(f"/api/vhosts/{vhost}/permissions")).json()}
    expected_users = {
        loaded_definitions.user_prefix + user for user in users_with_partners(loaded_definitions.partners)
    }
    assert granted - {loaded_definitions.admin_user} == expected_users


async def test_every_service_may_redeclare_its_own_queues_with_the_arguments_the_code_uses(
    loaded_definitions,
):
    # The definitions and shared/messaging/topology.py agree: no PRECONDITION_FAILED for a service that
    # still declares its own part at start.
    for service in ("registration", "grouping", "calendar", "notifications"):
        connection = await _connect(loaded_definitions, service)
        async with connection:
            channel = await connection.channel()
            for spec in TOPOLOGY.for_service(service):
                await channel.declare_queue(spec.name, durable=True, arguments=spec.arguments(5))
                await channel.declare_queue(
                    spec.dead_letter_queue, durable=True, arguments={"x-queue-type": "quorum"}
                )
            await channel.declare_exchange(exchange_of(service), aio_pika.ExchangeType.TOPIC, durable=True)


async def test_registration_publishes_to_its_own_exchange_and_grouping_reads_its_own_queue(
    loaded_definitions,
):
    await _publish(
        loaded_definitions, "registration", exchange_of("registration"), "registration.accepted.v1"
    )

    message = await _get_one(loaded_definitions, "grouping", "grouping.pool")

    assert message is not None
    assert message.routing_key == "registration.accepted.v1"


async def test_notifications_is_refused_publishing_to_the_registration_exchange(loaded_definitions):
    with pytest.raises(ChannelAccessRefused):
        await _publish(
            loaded_definitions, "notifications", exchange_of("registration"), "registration.accepted.v1"
        )


async def test_notifications_is_refused_reading_the_registration_intake_queue(loaded_definitions):
    await _publish(loaded_definitions, "intake-publisher", INTAKE_EXCHANGE, "registration.submitted.v1")

    with pytest.raises(ChannelAccessRefused):
        await _get_one(loaded_definitions, "notifications", "registration.intake")
    assert await _get_one(loaded_definitions, "registration", "registration.intake") is not None


async def test_a_service_may_not_read_its_dead_letters_nor_touch_another_services_queue(loaded_definitions):
    with pytest.raises(ChannelAccessRefused):
        await _get_one(loaded_definitions, "grouping", "grouping.pool.dlq")
    connection = await _connect(loaded_definitions, "grouping")
    async with connection:
        channel = await connection.channel()
        with pytest.raises(ChannelAccessRefused):
            await channel.queue_delete("calendar.groups")


async def test_the_intake_publisher_may_only_publish_to_the_intake_exchange(loaded_definitions):
    await _publish(loaded_definitions, "intake-publisher", INTAKE_EXCHANGE, "registration.submitted.v1")

    with pytest.raises(ChannelAccessRefused):
        await _publish(
            loaded_definitions, "intake-publisher", exchange_of("registration"), "registration.rejected.v1"
        )
    connection = await _connect(loaded_definitions, "intake-publisher")
    async with connection:
        channel = await connection.channel()
        with pytest.raises(ChannelAccessRefused):
            await channel.declare_queue("intake-publisher.replies", durable=True)


async def test_the_committed_form_without_passwords_loads_and_its_users_cannot_log_in_until_an_operator_sets_one(
    servers,
):
    tag = uuid.uuid4().hex[:10]
    vhost, prefix = f"t_defs_{tag}", f"t_{tag}_"
    async with httpx.AsyncClient(
        base_url=servers.management_url, auth=servers.management_auth, timeout=60
    ) as api:
        definitions = build_definitions(vhost=vhost, user_prefix=prefix)
        try:
            response = await api.post("/api/definitions", json=definitions)
            response.raise_for_status()
            user = (await api.get(f"/api/users/{prefix}grouping")).json()
            assert user["password_hash"] == ""
            base = urllib.parse.urlsplit(servers.rabbitmq_url)
            with pytest.raises(aio_pika.exceptions.ProbableAuthenticationError):
                await aio_pika.connect(
                    f"amqp://{prefix}grouping:@{base.hostname}:{base.port}/{vhost}", timeout=15
                )
        finally:
            await api.delete(f"/api/vhosts/{vhost}")
            for user in definitions["users"]:
                await api.delete(f"/api/users/{user['name']}")


async def test_a_partner_publishes_as_itself_to_the_intake_and_reads_only_its_own_answers(loaded_definitions):
    kommune_a = loaded_definitions.user_prefix + "kommune-a"
    await _publish(loaded_definitions, "kommune-a", INTAKE_EXCHANGE, "registration.submitted.v1", kommune_a)
    assert await _get_one(loaded_definitions, "registration", "registration.intake") is not None
    answer = reply_routing_key("kommune-a", "registration.received.v1")
    await _publish(loaded_definitions, "registration", exchange_of("registration"), answer)

    assert await _get_one(loaded_definitions, "kommune-a", "partner.kommune-a.replies") is not None
    with pytest.raises(ChannelAccessRefused):
        await _get_one(loaded_definitions, "kommune-b", "partner.kommune-a.replies")
    with pytest.raises(ChannelAccessRefused):
        await _get_one(loaded_definitions, "kommune-a", "registration.intake")
    with pytest.raises(ChannelAccessRefused):
        await _publish(loaded_definitions, "kommune-a", exchange_of("registration"), answer, kommune_a)


async def test_a_partner_cannot_publish_in_another_partners_name(loaded_definitions):
    kommune_b = loaded_definitions.user_prefix + "kommune-b"
    with pytest.raises(ChannelPreconditionFailed):
        await _publish(
            loaded_definitions, "kommune-a", INTAKE_EXCHANGE, "registration.submitted.v1", kommune_b
        )
