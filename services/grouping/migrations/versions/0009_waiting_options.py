"""waiting_options: what was last told a waiting person would get them a group sooner (issue 23)

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None
S = "grouping"


def upgrade() -> None:
    op.create_table(
        "waiting_options",
        sa.Column("participant_id", sa.Uuid, primary_key=True),
        sa.Column("options", JSONB, nullable=False),
        sa.Column("nudge", sa.Boolean, nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("waiting_options", schema=S)
