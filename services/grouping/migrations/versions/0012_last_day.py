"""last_day: a group's meetings end on this day (the calendar's dated end); grouping ends it after (issue 22)

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None
S = "grouping"


def upgrade() -> None:
    op.add_column("groups", sa.Column("last_day", sa.Date), schema=S)


def downgrade() -> None:
    op.drop_column("groups", "last_day", schema=S)
