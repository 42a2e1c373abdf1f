"""closed_at on groups: when a group dissolved or ended, so retention forgets who was in it

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None
S = "grouping"


def upgrade() -> None:
    op.add_column("groups", sa.Column("closed_at", sa.DateTime(timezone=True)), schema=S)
    # When groups closed before this release is not known: their retention period starts now.
    op.execute(f"UPDATE {S}.groups SET closed_at = now() WHERE status IN ('dissolved', 'ended')")


def downgrade() -> None:
    op.drop_column("groups", "closed_at", schema=S)
