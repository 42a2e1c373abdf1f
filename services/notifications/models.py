"""Tables of the notification service (schema `notifications`)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)

from shared.db import service_metadata
from shared.messaging import inbox_table, outbox_table

SCHEMA = "notifications"
metadata = service_metadata(SCHEMA)

contacts = Table(
    "contacts",
    metadata,
    Column("participant_id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320)),
    Column("mobile", String(20)),
    Column("language", String(2), nullable=False),
    Column("channel", String(10), nullable=False, server_default="both"),  # email | sms | both
    Column("non_essential_opt_out", String(5), nullable=False, server_default="false"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("source_event_id", Uuid, nullable=False),
    Column("recipient_id", Uuid, nullable=False),
    Column("channel", String(10), nullable=False),
    Column("message_type", String(40), nullable=False),
    Column("language", String(2), nullable=False),
    Column("context", Text, nullable=False),  # JSON; rendered at send time, deleted on erasure
    Column("state", String(10), nullable=False, server_default="queued"),  # queued | sent | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", String(500)),
    Column("due_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    # One delivery per (source event, recipient, channel): the exactly-once key.
    UniqueConstraint("source_event_id", "recipient_id", "channel", "message_type", name="uq_deliveries_once"),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
