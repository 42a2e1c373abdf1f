"""Staff approval of a proposed group (who and when), from the staff console.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
S = "grouping"


def upgrade() -> None:
    op.add_column("groups", sa.Column("approved_by", sa.String(200)), schema=S)
    op.add_column("groups", sa.Column("approved_at", sa.DateTime(timezone=True)), schema=S)


def downgrade() -> None:
    op.drop_column("groups", "approved_at", schema=S)
    op.drop_column("groups", "approved_by", schema=S)
