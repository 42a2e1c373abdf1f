"""withdrawals: an anonymous trace of each withdrawal, for the district's statistics (issue 21)

The person's pool row is deleted when they withdraw; this keeps the place, topic and dates only.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None
S = "grouping"


def upgrade() -> None:
    op.create_table(
        "withdrawals",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("district", sa.String(40), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True)),
        sa.Column("withdrew_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_index(
        "ix_withdrawals_district_registered_at", "withdrawals", ["district", "registered_at"], schema=S
    )


def downgrade() -> None:
    op.drop_table("withdrawals", schema=S)
