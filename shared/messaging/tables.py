"""Outbox and inbox tables, created in every service's own schema by its migrations."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB


def outbox_table(metadata: MetaData) -> Table:
    """The integration-event log: one row per event to publish, written in the state change's transaction."""
    if (existing := _existing(metadata, "outbox")) is not None:
        return existing
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("event_id", Uuid, nullable=False, unique=True),
        Column("event_type", String(120), nullable=False),
        Column("exchange", String(120), nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("headers", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
        Column("state", String(10), nullable=False, server_default="pending"),  # pending | sent
        Column("attempts", Integer, nullable=False, server_default="0"),
        Column("last_error", Text),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("sent_at", DateTime(timezone=True)),
    )


def inbox_table(metadata: MetaData) -> Table:
    """Processed messages: `(consumer, event_id)` written in the same transaction as the effect."""
    if (existing := _existing(metadata, "inbox")) is not None:
        return existing
    return Table(
        "inbox",
        metadata,
        Column("consumer", String(80), primary_key=True),
        Column("event_id", Uuid, primary_key=True),
        Column("event_type", String(120), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("duplicates", Integer, nullable=False, server_default="0"),
    )


def _existing(metadata: MetaData, name: str) -> Table | None:
    return metadata.tables.get(f"{metadata.schema}.{name}" if metadata.schema else name)
