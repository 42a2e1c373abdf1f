"""contacts, deliveries with the exactly-once key, outbox, inbox

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from shared.db.migration_ops import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
S = "notifications"


def upgrade() -> None:
    create_messaging_tables(S)
    op.create_table(
        "contacts",
        sa.Column("participant_id", sa.Uuid, primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("mobile", sa.String(20)),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False, server_default="both"),
        sa.Column("non_essential_opt_out", sa.String(5), nullable=False, server_default="false"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("source_event_id", sa.Uuid, nullable=False),
        sa.Column("recipient_id", sa.Uuid, nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("message_type", sa.String(40), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("context", sa.Text, nullable=False),
        sa.Column("state", sa.String(10), nullable=False, server_default="queued"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.String(500)),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint(
            "source_event_id", "recipient_id", "channel", "message_type", name="uq_deliveries_once"
        ),
        schema=S,
    )
    op.create_index(
        "ix_deliveries_due", "deliveries", ["due_at"], schema=S, postgresql_where=sa.text("state = 'queued'")
    )


def downgrade() -> None:
    op.drop_table("deliveries", schema=S)
    op.drop_table("contacts", schema=S)
    drop_messaging_tables(S)
