"""closed_at on groups: when a group dissolved or ended, so retention forgets who was in it

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None
S = "grouping"


def upgrade() -> None:
    op.add_column("groups", sa.Column("closed_at", sa.DateTime(timezone=True)), schema=S)
    # When groups closed before this release is not known: their retention period starts now.
    op.execute(f"UPDATE {S}.groups SET closed_at = now() WHERE status IN ('dissolved', 'ended')")


def downgrade() -> None:
    op.drop_column("groups", "closed_at", schema=S)
