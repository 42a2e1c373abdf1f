"""`selvhjelp dlq list|show|replay`: inspect dead-lettered messages and replay them after a fix.

Bodies are not printed unless asked (`--body`): they may hold personal data. Replay sends a message back
to the queue it came from (through the default exchange), so only that consumer sees it again; a
partner's message keeps its sender (`user_id`) or stays in the DLQ with the reason (see `replay`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import aio_pika
import aiormq

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


@dataclass(frozen=True)
class Replayed:
    """What a replay did: how many messages went back, and why each one it kept in the DLQ stayed."""

    count: int
    kept: list[str] = field(default_factory=list)


def _names_its_sender(queue: str) -> bool:
    """Whether the queue's consumer takes the sender from the message's `user_id` (the partners' intake)."""
    return any(spec.name == queue and spec.sender_named_by_user_id for spec in TOPOLOGY.queues)


def _copy(
    message: aio_pika.abc.AbstractIncomingMessage, headers: dict, user_id: str | None
) -> aio_pika.Message:
    return aio_pika.Message(
        message.body,
        headers=headers,
        content_type=message.content_type,
        message_id=message.message_id,
        correlation_id=message.correlation_id,
        type=message.type,
        user_id=user_id,
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


async def replay(url: str, queue: str, limit: int) -> Replayed:
    """Send up to `limit` messages of a DLQ back to their queue.

    A partner's message on the intake is named by its broker-validated `user_id` (its sender, and whose
    external references it is unique among): the copy keeps it, so it is the same sender's registration
    again. The broker lets a user publish another user's `user_id` only when tagged `impersonator`; for
    a replayer without that tag it refuses the copy, and the message stays in the DLQ with the reason
    (dropping the `user_id` would make it nobody's, and republishing it as ours would make it ours).
    Elsewhere the `user_id` is the publishing service's and nobody reads it: the copy is the replayer's.
    """
    if not queue.endswith(".dlq"):
        raise SystemExit("replay takes a dead-letter queue, e.g. registration.intake.dlq")
    target = queue.removesuffix(".dlq")
    keeps_sender = _names_its_sender(target)
    replayer = urllib.parse.unquote(urllib.parse.urlsplit(url).username or "") or "guest"

    connection = await aio_pika.connect_robust(url)
    async with connection:
        taking = await connection.channel()
        publishing = await connection.channel(publisher_confirms=True)
        source = await taking.declare_queue(queue, passive=True)
        replayed, kept, held = 0, [], []
        for _ in range(limit):
            message = await source.get(no_ack=False, fail=False)
            if message is None:
                break
            headers = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-")}
            sender = message.user_id if keeps_sender else None
            try:
                await publishing.default_exchange.publish(
                    _copy(message, {**headers, "x-replayed-from": queue}, sender),
                    routing_key=target,
                    mandatory=True,
                )
            except aiormq.exceptions.ChannelPreconditionFailed:
                # The broker closed the publishing channel: the copy was not taken. Held unacked until
                # the end (so this run does not get it again), then returned to the DLQ.
                held.append(message)
                kept.append(
                    f"message {message.message_id}: sent by {sender!r} (its user_id), which the broker user "
                    f"{replayer!r} may not publish as; replay it as a broker user tagged 'impersonator', or "
                    "ask the sender to send it again"
                )
                publishing = await connection.channel(publisher_confirms=True)
                continue
            await message.ack()  # only after the broker confirmed the copy
            replayed += 1
        for message in held:
            await message.nack(requeue=True)
    return Replayed(replayed, kept)


async def forget(url: str, identifier: str) -> int:
    """Erasure: drop every dead-lettered message that mentions the person; keep all others as they are.

    Each DLQ is read through once: a message naming the person is acked away; any other is held unacked
    until the queue has been read, then returned to it untouched (its `user_id`, which names a partner's
    message's sender, could not be republished by us: see `replay`).
    """
    needle = identifier.encode()
    dropped = 0
    for spec in TOPOLOGY.queues:

        async def work(channel, queue_name=spec.dead_letter_queue):
            nonlocal dropped
            queue = await channel.declare_queue(queue_name, passive=True)
            held = []
            for _ in range(queue.declaration_result.message_count or 0):
                message = await queue.get(no_ack=False, fail=False)
                if message is None:
                    break
                if needle in message.body:
                    dropped += 1
                    await message.ack()
                else:
                    held.append(message)
            for message in held:
                await message.nack(requeue=True)

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
        outcome = asyncio.run(replay(url, args.queue, args.limit))
        print(f"replayed {outcome.count} message(s) to {args.queue[:-4]}")
        for reason in outcome.kept:
            print(f"kept in {args.queue}: {reason}")
        return 1 if outcome.kept else 0
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
