"""`selvhjelp dlq list|show|replay`: inspect dead-lettered messages and replay them after a fix.

Bodies are not printed unless asked (`--body`): they may hold personal data. Replay sends a message back
to the queue it came from (through the default exchange), so only that consumer sees it again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

import aio_pika

from shared.settings import get_settings

from .connection import connect_robust
from .topology import TOPOLOGY


def _summary(message: aio_pika.abc.AbstractIncomingMessage) -> dict[str, Any]:
    headers = message.headers or {}
    deaths = headers.get("x-death") or []
    first_death = deaths[0] if deaths else {}
    return {
        "message_id": message.message_id,
        "type": message.type or headers.get("x-original-routing-key"),
        "reason": headers.get("x-rejection-reason") or first_death.get("reason"),
        "rejected_by": headers.get("x-rejected-by"),
        "deliveries": first_death.get("count"),
        "size": len(message.body),
    }


async def _with_channel(url: str, work):
    connection = await connect_robust(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        return await work(channel)


async def dead_letter_counts(url: str) -> dict[str, int]:
    counts = {}
    connection = await connect_robust(url)
    async with connection:
        for spec in TOPOLOGY.queues:
            channel = await connection.channel()  # a missing queue closes the channel it was asked on
            try:
                queue = await channel.declare_queue(spec.dead_letter_queue, passive=True)
                counts[spec.dead_letter_queue] = queue.declaration_result.message_count or 0
            except aio_pika.exceptions.ChannelClosed:
                counts[spec.dead_letter_queue] = 0
    return counts


async def peek(url: str, queue: str, limit: int, with_body: bool) -> list[dict[str, Any]]:
    async def work(channel):
        found, held = [], []
        source = await channel.declare_queue(queue, passive=True)
        for _ in range(limit):
            message = await source.get(no_ack=False, fail=False)
            if message is None:
                break
            held.append(message)
            item = _summary(message)
            if with_body:
                item["body"] = message.body.decode(errors="replace")
            found.append(item)
        for message in held:  # nothing is taken away by looking
            await message.nack(requeue=True)
        return found

    return await _with_channel(url, work)


async def replay(url: str, queue: str, limit: int) -> int:
    if not queue.endswith(".dlq"):
        raise SystemExit("replay takes a dead-letter queue, e.g. registration.intake.dlq")
    target = queue.removesuffix(".dlq")

    async def work(channel):
        source = await channel.declare_queue(queue, passive=True)
        replayed = 0
        for _ in range(limit):
            message = await source.get(no_ack=False, fail=False)
            if message is None:
                break
            headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-")}
            await channel.default_exchange.publish(
                aio_pika.Message(
                    message.body,
                    headers={**headers, "x-replayed-from": queue},
                    content_type=message.content_type,
                    message_id=message.message_id,
                    correlation_id=message.correlation_id,
                    type=message.type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=target,
                mandatory=True,
            )
            await message.ack()  # only after the broker confirmed the copy
            replayed += 1
        return replayed

    return await _with_channel(url, work)


async def forget(url: str, identifier: str) -> int:
    """Erasure: drop every dead-lettered message that mentions the person; keep all others, in order.

    A queue can't delete one message in place, so each DLQ is read through once: a message naming the
    person is acked away, any other is published back to the same DLQ (confirmed) before its ack.
    """
    needle = identifier.encode()
    dropped = 0
    for spec in TOPOLOGY.queues:

        async def work(channel, queue_name=spec.dead_letter_queue):
            nonlocal dropped
            queue = await channel.declare_queue(queue_name, passive=True)
            for _ in range(queue.declaration_result.message_count or 0):
                message = await queue.get(no_ack=False, fail=False)
                if message is None:
                    break
                if needle not in message.body:
                    await channel.default_exchange.publish(
                        aio_pika.Message(
                            message.body,
                            headers=message.headers,
                            content_type=message.content_type,
                            message_id=message.message_id,
                            correlation_id=message.correlation_id,
                            type=message.type,
                            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                        ),
                        routing_key=queue_name,
                    )
                else:
                    dropped += 1
                await message.ack()

        await _with_channel(url, work)
    return dropped


def _run(args: argparse.Namespace) -> int:
    url = args.rabbitmq_url or get_settings().rabbitmq_url
    if args.dlq_action == "list":
        for name, count in asyncio.run(dead_letter_counts(url)).items():
            print(f"{name:<40}{count:>8}")
    elif args.dlq_action == "show":
        for item in asyncio.run(peek(url, args.queue, args.limit, args.body)):
            print(json.dumps(item, ensure_ascii=False, default=str))
    elif args.dlq_action == "forget":
        print(
            f"dropped {asyncio.run(forget(url, args.participant_id))} dead-lettered message(s) naming the person"
        )
    else:
        print(f"replayed {asyncio.run(replay(url, args.queue, args.limit))} message(s) to {args.queue[:-4]}")
    return 0


def build_parser(commands) -> None:
    dlq = commands.add_parser("dlq", help="inspect and replay dead-lettered messages")
    dlq.add_argument("--rabbitmq-url")
    actions = dlq.add_subparsers(dest="dlq_action", required=True)
    actions.add_parser("list", help="message count of every dead-letter queue")
    show = actions.add_parser("show", help="reasons of the first messages of a dead-letter queue")
    show.add_argument("queue")
    show.add_argument("--limit", type=int, default=20)
    show.add_argument("--body", action="store_true", help="also print bodies (may hold personal data)")
    again = actions.add_parser("replay", help="send messages back to their queue after a fix")
    again.add_argument("queue")
    again.add_argument("--limit", type=int, default=1000)
    erase = actions.add_parser(
        "forget", help="erasure: drop every dead-lettered message naming a person (run after `erase`)"
    )
    erase.add_argument("participant_id", help="the participant id, or a sender's external reference")
    dlq.set_defaults(func=_run)
