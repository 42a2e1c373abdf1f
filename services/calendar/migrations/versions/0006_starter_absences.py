"""starter_absences: a starter's "I cannot come to this meeting", for the district office to act on

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None
S = "calendar"


def upgrade() -> None:
    op.create_table(
        "starter_absences",
        sa.Column(
            "group_id",
            sa.Uuid,
            sa.ForeignKey(f"{S}.groups.group_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("meeting_start", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("starter_id", sa.Uuid, sa.ForeignKey(f"{S}.starters.id"), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("handled_at", sa.DateTime(timezone=True)),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("starter_absences", schema=S)
