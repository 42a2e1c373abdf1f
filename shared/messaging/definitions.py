"""RabbitMQ definitions (`deploy/rabbitmq/definitions.json`) generated from the topology in code.

In production the broker is pre-declared from this file: the vhost, every exchange, quorum queue, DLQ and
binding, a policy bounding the dead-letter queues, and one user per service, one per partner system
(settings.partners) and `intake-publisher`, shared by outside systems that are not partners yet. Each user
gets least-privilege permissions: a service reads only its own queues, writes only to its own exchange and
the dead-letter exchange, and configures only its own exchange and queues; a partner writes only to the
intake exchange, reads only its own reply queue and configures nothing. There is no `guest`.

The committed file carries no secrets: every `password_hash` is empty (the user cannot log in with a
password) until the operator sets one (`rabbitmqctl change_password USER ...`), or the operator generates a
private copy with `--passwords-from-env`, hashing `RABBITMQ_PASSWORD_<USER>` (e.g.
`RABBITMQ_PASSWORD_INTAKE_PUBLISHER`) with a random salt, and loads that copy instead.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .topology import (
    DEAD_LETTER_EXCHANGE,
    EXCHANGES,
    INTAKE_EXCHANGE,
    SERVICES,
    TOPOLOGY,
    QueueSpec,
    Topology,
    exchange_of,
    partner_owner,
    topology_with_partners,
)

DEFAULT_VHOST = "selvhjelp"
INTAKE_PUBLISHER = "intake-publisher"
USERS = (*SERVICES, INTAKE_PUBLISHER)
DEFINITIONS_PATH = Path(__file__).resolve().parents[2] / "deploy" / "rabbitmq" / "definitions.json"
HASHING_ALGORITHM = "rabbit_password_hashing_sha256"
# Dead letters wait for an operator; past this size the DLQ refuses more and, with at-least-once
# dead-lettering, the rest stay in their source queue: bounded broker disk, nothing dropped.
DLQ_MAX_LENGTH_BYTES = 1024**3


@dataclass(frozen=True)
class Permission:
    configure: str
    write: str
    read: str


def exactly(names: Iterable[str]) -> str:
    """A regex matching exactly these resource names and nothing else (`^$` matches none)."""
    names = sorted(set(names))
    return "^(" + "|".join(re.escape(n) for n in names) + ")$" if names else "^$"


def permission_of(user: str, topology: Topology = TOPOLOGY) -> Permission:
    if user == INTAKE_PUBLISHER:
        return Permission(configure="^$", write=exactly([INTAKE_EXCHANGE]), read="^$")
    if replies := topology.for_service(partner_owner(user)):
        # A partner system: it publishes submissions and reads its answers; the broker holds its queue.
        return Permission(
            configure="^$", write=exactly([INTAKE_EXCHANGE]), read=exactly(q.name for q in replies)
        )
    if user not in SERVICES:
        raise ValueError(f"unknown RabbitMQ user {user!r}")
    queues = topology.for_service(user)
    own_queues = [q.name for q in queues] + [q.dead_letter_queue for q in queues]
    own_exchange = exchange_of(user)
    return Permission(
        configure=exactly([own_exchange, *own_queues]),
        # The DLX: an invalid message is copied to the queue's DLQ by the consumer itself.
        write=exactly([own_exchange, DEAD_LETTER_EXCHANGE]),
        # Its working queues only: the DLQs are read by an operator, bindings are pre-declared here.
        read=exactly(q.name for q in queues),
    )


def password_hash(password: str, salt: bytes) -> str:
    """RabbitMQ's `rabbit_password_hashing_sha256`: base64(salt + sha256(salt + password)), 4-byte salt."""
    digest = hashlib.sha256(salt + password.encode()).digest()
    return base64.b64encode(salt + digest).decode()


def default_partners() -> list[str]:
    from shared.settings import Settings

    return [partner.name for partner in Settings().partners]


def users_with_partners(partners: Iterable[str]) -> tuple[str, ...]:
    return (*USERS, *partners)


def passwords_from_env(users: Iterable[str] = USERS, env: Mapping[str, str] = os.environ) -> dict[str, str]:
    variables = {user: f"RABBITMQ_PASSWORD_{user.upper().replace('-', '_')}" for user in users}
    missing = [name for name in variables.values() if not env.get(name)]
    if missing:
        raise SystemExit(f"missing password variables: {', '.join(missing)}")
    return {user: env[name] for user, name in variables.items()}


def _queue(spec_name: str, vhost: str, arguments: dict[str, object]) -> dict[str, object]:
    return {
        "name": spec_name,
        "vhost": vhost,
        "durable": True,
        "auto_delete": False,
        "arguments": arguments,
    }


def _binding(source: str, queue: str, routing_key: str, vhost: str) -> dict[str, object]:
    return {
        "source": source,
        "vhost": vhost,
        "destination": queue,
        "destination_type": "queue",
        "routing_key": routing_key,
        "arguments": {},
    }


def build_definitions(
    *,
    vhost: str = DEFAULT_VHOST,
    delivery_limit: int | None = None,
    user_prefix: str = "",
    passwords: Mapping[str, str] | None = None,
    salt: Callable[[], bytes] = lambda: os.urandom(4),
    topology: Topology = TOPOLOGY,
    dlq_message_ttl_ms: int | None = None,
    partners: Iterable[str] | None = None,
) -> dict[str, object]:
    """The definitions document. `user_prefix` lets tests load it beside other users on a shared broker.
    `partners`: the partner systems' names (default: settings.partners), each a user and a reply queue."""
    partners = default_partners() if partners is None else list(partners)
    topology = topology_with_partners(partners, topology)
    if dlq_message_ttl_ms is None:
        from shared.settings import Settings

        dlq_message_ttl_ms = Settings().dlq_message_ttl_days * 24 * 3600 * 1000
    if delivery_limit is None:
        from shared.settings import Settings

        delivery_limit = Settings().delivery_limit
    queues: tuple[QueueSpec, ...] = topology.queues
    users, permissions = [], []
    for user in users_with_partners(partners):
        password = (passwords or {}).get(user)
        users.append(
            {
                "name": user_prefix + user,
                "password_hash": password_hash(password, salt()) if password else "",
                "hashing_algorithm": HASHING_ALGORITHM,
                "tags": [],
                "limits": {},
            }
        )
        permission = permission_of(user, topology)
        permissions.append(
            {
                "user": user_prefix + user,
                "vhost": vhost,
                "configure": permission.configure,
                "write": permission.write,
                "read": permission.read,
            }
        )
    exchanges = [
        {
            "name": name,
            "vhost": vhost,
            "type": "topic",
            "durable": True,
            "auto_delete": False,
            "internal": False,
            "arguments": {},
        }
        for name in EXCHANGES
    ] + [
        {
            "name": DEAD_LETTER_EXCHANGE,
            "vhost": vhost,
            "type": "direct",
            "durable": True,
            "auto_delete": False,
            "internal": False,
            "arguments": {},
        }
    ]
    # The same arguments the services declare with (shared/messaging/publisher.py), so a service that
    # still declares its topology at start finds an equivalent queue instead of PRECONDITION_FAILED.
    queue_definitions = [_queue(q.dead_letter_queue, vhost, {"x-queue-type": "quorum"}) for q in queues] + [
        _queue(q.name, vhost, q.arguments(delivery_limit)) for q in queues
    ]
    bindings = [_binding(DEAD_LETTER_EXCHANGE, q.dead_letter_queue, q.name, vhost) for q in queues] + [
        _binding(exchange, q.name, routing_key, vhost) for q in queues for exchange, routing_key in q.bindings
    ]
    policies = [
        {
            "vhost": vhost,
            "name": "selvhjelp-dead-letter-queues",
            "pattern": exactly(q.dead_letter_queue for q in queues),
            "apply-to": "queues",
            "priority": 0,
            # Dead letters hold personal data too: an operator has `dlq_message_ttl_days` to look and
            # replay (the alert fires at once); then they expire. A policy, not a queue argument, so the
            # period can change without recreating the queues.
            "definition": {
                "max-length-bytes": DLQ_MAX_LENGTH_BYTES,
                "overflow": "reject-publish",
                "message-ttl": dlq_message_ttl_ms,
            },
        }
    ]
    return {
        "users": users,
        "vhosts": [{"name": vhost}],
        "permissions": permissions,
        "topic_permissions": [],
        "parameters": [],
        "global_parameters": [],
        "policies": policies,
        "exchanges": sorted(exchanges, key=lambda e: e["name"]),
        "queues": sorted(queue_definitions, key=lambda q: q["name"]),
        "bindings": sorted(bindings, key=lambda b: (b["source"], b["destination"], b["routing_key"])),
    }


def render(definitions: Mapping[str, object]) -> str:
    return json.dumps(definitions, indent=2, sort_keys=True) + "\n"


def _generate(args: argparse.Namespace) -> int:
    passwords = (
        passwords_from_env(users_with_partners(default_partners())) if args.passwords_from_env else None
    )
    text = render(build_definitions(vhost=args.vhost, passwords=passwords))
    out = Path(args.out) if args.out else DEFINITIONS_PATH
    if args.mode == "check":
        if not out.exists() or out.read_text() != text:
            print(f"out of date (run `selvhjelp rabbitmq definitions generate`): {out}", file=sys.stderr)
            return 1
        return 0
    if out == Path("-"):
        sys.stdout.write(text)
        return 0
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    print(f"wrote {out}", file=sys.stderr)
    return 0


def build_parser(subparsers: argparse._SubParsersAction) -> None:
    """`selvhjelp rabbitmq definitions generate|check` (wired by shared/cli.py)."""
    rabbitmq = subparsers.choices.get("rabbitmq") or subparsers.add_parser(
        "rabbitmq", help="RabbitMQ operator tasks"
    )
    actions = next(
        (a for a in rabbitmq._actions if isinstance(a, argparse._SubParsersAction)),
        None,
    ) or rabbitmq.add_subparsers(dest="rabbitmq_action", required=True)
    definitions = actions.add_parser(
        "definitions", help="generate or check deploy/rabbitmq/definitions.json from the topology"
    )
    definitions.add_argument("mode", choices=("generate", "check"))
    definitions.add_argument("--vhost", default=DEFAULT_VHOST)
    definitions.add_argument(
        "--out", help=f"file to write or check, '-' for stdout (default {DEFINITIONS_PATH})"
    )
    definitions.add_argument(
        "--passwords-from-env",
        action="store_true",
        help="hash RABBITMQ_PASSWORD_<USER> into the users (for a private copy; never commit it)",
    )
    definitions.set_defaults(func=_generate)
