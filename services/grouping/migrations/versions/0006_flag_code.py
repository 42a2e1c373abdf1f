"""flag_code on groups: why staff should look, as a code with parameters, shown in the reader's language

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None
S = "grouping"


def upgrade() -> None:
    # `flag` keeps the English words (the API gives them); flags set before this have no code and are
    # shown as they were stored.
    op.add_column("groups", sa.Column("flag_code", JSONB), schema=S)


def downgrade() -> None:
    op.drop_column("groups", "flag_code", schema=S)
