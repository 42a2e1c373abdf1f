"""the starter's part (issue 22, item 6): its language for messages, the replacement the district office
assigned for a meeting a starter cannot come to, when a group's starters were released, and the members'
first names the starter may see once the group has started

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None
S = "calendar"


def upgrade() -> None:
    op.add_column(
        "starters", sa.Column("language", sa.String(2), nullable=False, server_default="nb"), schema=S
    )
    op.add_column(
        "starter_absences",
        sa.Column("replacement_id", sa.Uuid, sa.ForeignKey(f"{S}.starters.id")),
        schema=S,
    )
    op.add_column("starter_absences", sa.Column("handled_by", sa.String(200)), schema=S)
    op.add_column("groups", sa.Column("starters_released_at", sa.DateTime(timezone=True)), schema=S)
    op.add_column("memberships", sa.Column("first_name", sa.String(100)), schema=S)


def downgrade() -> None:
    op.drop_column("memberships", "first_name", schema=S)
    op.drop_column("groups", "starters_released_at", schema=S)
    op.drop_column("starter_absences", "handled_by", schema=S)
    op.drop_column("starter_absences", "replacement_id", schema=S)
    op.drop_column("starters", "language", schema=S)
