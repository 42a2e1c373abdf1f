"""The messaging backbone every service uses: topology, publishing, outbox relay, inbox consumer."""

from .consumer import EventConsumer, IncomingMessage, parse_envelope, validation_errors
from .errors import InvalidMessage, is_transient
from .outbox import Outbox, OutboxRelay
from .publisher import Publisher, declare_topology
from .tables import inbox_table, outbox_table
from .topology import DEAD_LETTER_EXCHANGE, INTAKE_EXCHANGE, TOPOLOGY, QueueSpec, exchange_of

__all__ = [
    "DEAD_LETTER_EXCHANGE",
    "INTAKE_EXCHANGE",
    "TOPOLOGY",
    "EventConsumer",
    "IncomingMessage",
    "InvalidMessage",
    "Outbox",
    "OutboxRelay",
    "Publisher",
    "QueueSpec",
    "declare_topology",
    "exchange_of",
    "inbox_table",
    "is_transient",
    "outbox_table",
    "parse_envelope",
    "validation_errors",
]
