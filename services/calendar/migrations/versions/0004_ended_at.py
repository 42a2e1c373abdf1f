"""ended_at on groups: when a group dissolved or ended, so retention forgets who was in it

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None
S = "calendar"


def upgrade() -> None:
    op.add_column("groups", sa.Column("ended_at", sa.DateTime(timezone=True)), schema=S)
    # An ended group is not changed after it ended: its last update is when that happened.
    op.execute(f"UPDATE {S}.groups SET ended_at = updated_at WHERE status = 'ended'")


def downgrade() -> None:
    op.drop_column("groups", "ended_at", schema=S)
