"""Tables of the calendar service (schema `calendar`)."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, String, Table, Uuid, func
from sqlalchemy.dialects.postgresql import JSONB

from shared.db import service_metadata
from shared.messaging import inbox_table, outbox_table

SCHEMA = "calendar"
metadata = service_metadata(SCHEMA)

groups = Table(
    "groups",
    metadata,
    Column("group_id", Uuid, primary_key=True),
    Column("district", String(40), nullable=False),
    Column("slot", String(20), nullable=False),
    Column("format", String(20), nullable=False),
    Column("members", JSONB, nullable=False),
    Column("municipalities", JSONB, nullable=False),
    Column("status", String(20), nullable=False),  # to_schedule | scheduled | failed | started | ended
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
