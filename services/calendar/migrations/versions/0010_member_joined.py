"""the day a newcomer joined a running group: their own feed starts at the group's next meeting (issue 22)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None
S = "calendar"


def upgrade() -> None:
    op.add_column("memberships", sa.Column("joined_on", sa.Date), schema=S)


def downgrade() -> None:
    op.drop_column("memberships", "joined_on", schema=S)
