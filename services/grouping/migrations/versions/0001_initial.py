"""waiting pool, groups, memberships (one active group per person), outbox, inbox

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
S = "grouping"


def upgrade() -> None:
    create_messaging_tables(S)
    op.create_table(
        "pool",
        sa.Column("participant_id", sa.Uuid, primary_key=True),
        sa.Column("district", sa.String(40), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("gender", sa.String(20), nullable=False),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("composition", sa.String(20), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("availability", postgresql.JSONB, nullable=False),
        sa.Column("single_gender", sa.Boolean, nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="waiting"),
        sa.Column("waiting_reasons", postgresql.JSONB),
        schema=S,
    )
    op.create_index("ix_pool_district_status", "pool", ["district", "status"], schema=S)
    op.create_table(
        "groups",
        sa.Column("group_id", sa.Uuid, primary_key=True),
        sa.Column("district", sa.String(40), nullable=False),
        sa.Column("slot", sa.String(20), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("topics", postgresql.JSONB, nullable=False),
        sa.Column("municipalities", postgresql.JSONB, nullable=False),
        sa.Column("formed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        schema=S,
    )
    op.create_table(
        "memberships",
        sa.Column("group_id", sa.Uuid, primary_key=True),
        sa.Column("participant_id", sa.Uuid, primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True)),
        schema=S,
    )
    op.create_index(
        "uq_memberships_one_active_group",
        "memberships",
        ["participant_id"],
        unique=True,
        schema=S,
        postgresql_where=sa.text("status IN ('invited', 'accepted')"),
    )


def downgrade() -> None:
    for table in ("memberships", "groups", "pool"):
        op.drop_table(table, schema=S)
    drop_messaging_tables(S)
