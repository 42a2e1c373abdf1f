"""group_id and left_group_at on registrations, so retention erases placed people after their group

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None
S = "registration"


def upgrade() -> None:
    op.add_column("registrations", sa.Column("group_id", sa.Uuid()), schema=S)
    op.add_column("registrations", sa.Column("left_group_at", sa.DateTime(timezone=True)), schema=S)
    # The retention job's scan: people whose group ended (or who left it) longest ago.
    op.create_index(
        "ix_registrations_left_group",
        "registrations",
        ["left_group_at"],
        schema=S,
        postgresql_where=sa.text("left_group_at IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_registrations_left_group", "registrations", schema=S)
    op.drop_column("registrations", "left_group_at", schema=S)
    op.drop_column("registrations", "group_id", schema=S)
