"""placed_at on registrations, so retention spares those that led to a group

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
S = "registration"


def upgrade() -> None:
    op.add_column("registrations", sa.Column("placed_at", sa.DateTime(timezone=True)), schema=S)
    # The retention job's scan: old registrations that never led to a group.
    op.create_index(
        "ix_registrations_never_placed",
        "registrations",
        ["registered_at"],
        schema=S,
        postgresql_where=sa.text("placed_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_registrations_never_placed", "registrations", schema=S)
    op.drop_column("registrations", "placed_at", schema=S)
