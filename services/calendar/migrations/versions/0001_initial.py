"""groups to schedule, outbox, inbox

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.db.migration_ops import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
S = "calendar"


def upgrade() -> None:
    create_messaging_tables(S)
    op.create_table(
        "groups",
        sa.Column("group_id", sa.Uuid, primary_key=True),
        sa.Column("district", sa.String(40), nullable=False),
        sa.Column("slot", sa.String(20), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("members", postgresql.JSONB, nullable=False),
        sa.Column("municipalities", postgresql.JSONB, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("groups", schema=S)
    drop_messaging_tables(S)
