"""The operator's pages (role `operator`): the services' health, the queues and the dead-letter tool of
`selvhjelp dlq` (shared/messaging/dlq_cli.py) in the browser. No personal data: a dead letter is shown by
its id, type, reason and delivery count, never its body.

    GET  /operator                                 health of the four services, every queue's depth
    GET  /operator/dead-letters/{queue}            the first dead letters of one DLQ and their reasons
    POST /operator/dead-letters/{queue}/replay     send them back to the queue they came from

The district office's overview no longer shows dead letters: they are the operator's (issue 20).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import aio_pika
import httpx
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from shared.audit import record_audit
from shared.messaging.connection import connect_robust
from shared.messaging.dlq_cli import peek, replay
from shared.messaging.topology import TOPOLOGY
from shared.texts import text, texts_for
from shared.web import choose_language, redirect
from shared.web.roles import role_page
from shared.web.staff import service_urls
from shared.web_auth import OPERATOR_ROLE, OperatorPageUser

from .app import GroupingServiceDep
from .models import audit_log
from .role_texts import ROLE_TEXTS
from .staff_pages.common import environment

DEAD_LETTER_QUEUES = frozenset(q.dead_letter_queue for q in TOPOLOGY.queues)
PEEK_LIMIT = 20
REPLAY_LIMIT = 1000

operator_pages = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class QueueDepth:
    name: str
    messages: int
    consumers: int | None
    dead_letters: bool


def broker_url(settings) -> str:
    return settings.operator_rabbitmq_url or settings.rabbitmq_url


async def service_health(settings) -> list[tuple[str, str]]:
    """Each service's readiness: "ready", "not_ready" (it answered, but is not) or "unreachable"."""

    async def one(client: httpx.AsyncClient, name: str, url: str) -> tuple[str, str]:
        try:
            reply = await client.get(f"{url}/health/ready")
        except httpx.HTTPError:
            return name, "unreachable"
        return name, "ready" if reply.status_code == 200 else "not_ready"

    async with httpx.AsyncClient(timeout=3) as client:
        return list(await asyncio.gather(*(one(client, n, u) for n, u in service_urls(settings).items())))


async def queue_depths(settings) -> list[QueueDepth] | None:
    """Messages (and consumers) of every queue and dead-letter queue; None when the broker is unreachable.
    From the management API when it is configured (it needs no rights on the queues), else over AMQP."""
    names = [name for q in TOPOLOGY.queues for name in (q.name, q.dead_letter_queue)]
    try:
        found = await (
            _from_management(settings) if settings.rabbitmq_management_url else _from_amqp(settings)
        )
    except (httpx.HTTPError, aio_pika.exceptions.AMQPError, OSError, ValueError, KeyError):
        return None
    return [
        QueueDepth(name, *found.get(name, (0, None)), dead_letters=name in DEAD_LETTER_QUEUES)
        for name in names
    ]


async def _from_management(settings) -> dict[str, tuple[int, int | None]]:
    vhost = quote(
        httpx.URL(settings.rabbitmq_url.replace("amqp", "http", 1)).path.lstrip("/") or "/", safe=""
    )
    async with httpx.AsyncClient(timeout=3) as client:
        reply = await client.get(
            f"{settings.rabbitmq_management_url.rstrip('/')}/api/queues/{vhost}",
            params={"columns": "name,messages,consumers"},
        )
        reply.raise_for_status()
    return {q["name"]: (q.get("messages", 0), q.get("consumers")) for q in reply.json()}


async def _from_amqp(settings) -> dict[str, tuple[int, int | None]]:
    found: dict[str, tuple[int, int | None]] = {}
    connection = await connect_robust(broker_url(settings), timeout=5)
    async with connection:
        for spec in TOPOLOGY.queues:
            for name in (spec.name, spec.dead_letter_queue):
                channel = await connection.channel()  # a missing queue closes the channel it was asked on
                try:
                    queue = await channel.declare_queue(name, passive=True)
                    result = queue.declaration_result
                    found[name] = (result.message_count or 0, result.consumer_count)
                except aio_pika.exceptions.ChannelClosed:
                    continue
    return found


def _texts(request: Request) -> tuple[str, dict[str, str]]:
    language = choose_language(request)
    return language, texts_for(ROLE_TEXTS, language)


@operator_pages.get("/operator")
async def operator_home(request: Request, service: GroupingServiceDep, user: OperatorPageUser) -> Response:
    settings = service.settings
    health, depths = await asyncio.gather(service_health(settings), queue_depths(settings))
    language, t = _texts(request)
    return role_page(
        environment,
        "staff/operator.html",
        request,
        user,
        OPERATOR_ROLE,
        language=language,
        page_title=t["operator_title"],
        t=t,
        health=health,
        depths=depths,
    )


def _dead_letter_queue(queue: str) -> str:
    if queue not in DEAD_LETTER_QUEUES:
        raise HTTPException(404, "no such dead-letter queue")
    return queue


@operator_pages.get("/operator/dead-letters/{queue}")
async def dead_letters_page(
    queue: str, request: Request, service: GroupingServiceDep, user: OperatorPageUser
) -> Response:
    queue = _dead_letter_queue(queue)
    messages = await peek(broker_url(service.settings), queue, PEEK_LIMIT, with_body=False)
    language, t = _texts(request)
    return role_page(
        environment,
        "staff/dead_letters.html",
        request,
        user,
        OPERATOR_ROLE,
        language=language,
        page_title=text(ROLE_TEXTS, language, "dlq_title", queue=queue),
        t=t,
        queue=queue,
        heading=text(ROLE_TEXTS, language, "dlq_title", queue=queue),
        messages=messages,
        flash=request.query_params.get("done", ""),
    )


@operator_pages.post("/operator/dead-letters/{queue}/replay")
async def replay_dead_letters(
    queue: str, request: Request, service: GroupingServiceDep, user: OperatorPageUser
) -> Response:
    queue = _dead_letter_queue(queue)
    outcome = await replay(broker_url(service.settings), queue, REPLAY_LIMIT)
    async with service.transaction() as work:  # who sent what back, for the audit log (no district)
        await record_audit(
            work.session,
            audit_log,
            actor=user.subject,
            action="dead_letters_replayed",
            district=None,
            detail=(f"{outcome.count} from {queue}" + "".join(f"; kept {why}" for why in outcome.kept))[:500],
        )
    language = choose_language(request)
    done = text(ROLE_TEXTS, language, "replayed", count=outcome.count, queue=queue.removesuffix(".dlq"))
    if outcome.kept:
        done += " " + text(ROLE_TEXTS, language, "replay_kept", count=len(outcome.kept))
    return redirect(request, f"/operator/dead-letters/{queue}?" + urlencode({"done": done}), language)
