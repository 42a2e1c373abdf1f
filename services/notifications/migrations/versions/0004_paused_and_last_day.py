"""a group's pause and last day, from meeting.changed.v1: no "next meeting" is made up inside either

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None
S = "notifications"


def upgrade() -> None:
    op.add_column("groups", sa.Column("paused_from", sa.Date), schema=S)
    op.add_column("groups", sa.Column("last_day", sa.Date), schema=S)


def downgrade() -> None:
    op.drop_column("groups", "last_day", schema=S)
    op.drop_column("groups", "paused_from", schema=S)
