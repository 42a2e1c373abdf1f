"""Fixing what blocks a group: the slots every member shares (why scheduling failed is 0005), the
district's choice to schedule without a starter, and calendar's own audit trail of staff changes

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None
S = "calendar"


def upgrade() -> None:
    op.add_column("groups", sa.Column("shared_slots", JSONB), schema=S)
    op.create_table(
        "district_settings",
        sa.Column("district", sa.String(40), primary_key=True),
        sa.Column("schedule_without_starter", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("changed_by", sa.String(200)),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("district", sa.String(40)),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("subject_id", sa.Uuid),
        sa.Column("detail", sa.String(500)),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("audit_log", schema=S)
    op.drop_table("district_settings", schema=S)
    op.drop_column("groups", "shared_slots", schema=S)
