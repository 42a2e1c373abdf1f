"""Migration operations shared by every service's first revision: its outbox and inbox tables."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql


def create_messaging_tables(schema: str) -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.Uuid, nullable=False, unique=True),
        sa.Column("event_type", sa.String(120), nullable=False),
        sa.Column("exchange", sa.String(120), nullable=False),
        sa.Column("payload", postgresql.JSONB, nullable=False),
        sa.Column("headers", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        sa.Column("state", sa.String(10), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column(
            "next_attempt_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        schema=schema,
    )
    # The relay's scan only ever looks at pending rows; keep that index small.
    op.create_index(
        "ix_outbox_pending",
        "outbox",
        ["next_attempt_at", "id"],
        schema=schema,
        postgresql_where=sa.text("state = 'pending'"),
    )
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(80), primary_key=True),
        sa.Column("event_id", sa.Uuid, primary_key=True),
        sa.Column("event_type", sa.String(120), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("duplicates", sa.Integer, nullable=False, server_default="0"),
        schema=schema,
    )


def drop_messaging_tables(schema: str) -> None:
    op.drop_table("inbox", schema=schema)
    op.drop_table("outbox", schema=schema)


def create_revocation_tables(schema: str) -> None:
    """Every service's `link_revocations` (a person's links cut on erasure) and `revoked_staff_tokens`
    (staff tokens signed out): shared/revocation.py, ADR 0010."""
    op.create_table(
        "link_revocations",
        sa.Column("person_digest", sa.String(64), primary_key=True),
        sa.Column("links_valid_after", sa.DateTime(timezone=True), nullable=False),
        schema=schema,
    )
    op.create_table(
        "revoked_staff_tokens",
        sa.Column("token_id", sa.String(64), primary_key=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        schema=schema,
    )


def drop_revocation_tables(schema: str) -> None:
    op.drop_table("revoked_staff_tokens", schema=schema)
    op.drop_table("link_revocations", schema=schema)
