"""failure_code on groups: why scheduling failed as a code with parameters, shown in the reader's language

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None
S = "calendar"


def upgrade() -> None:
    # Nullable: groups that failed before this revision keep only their English `failure_reason`.
    op.add_column("groups", sa.Column("failure_code", JSONB), schema=S)


def downgrade() -> None:
    op.drop_column("groups", "failure_code", schema=S)
