"""school breaks per district and the group's choice to meet during them (issue 21); the calendar's
audit log they are recorded in is 0007's

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None
S = "calendar"


def upgrade() -> None:
    op.add_column(
        "groups",
        sa.Column("meet_during_breaks", sa.Boolean, nullable=False, server_default=sa.text("false")),
        schema=S,
    )
    op.create_table(
        "school_breaks",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("district", sa.String(40), nullable=False),
        sa.Column("county", sa.String(2), nullable=False),
        sa.Column("school_year", sa.String(7), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("first_day", sa.Date, nullable=False),
        sa.Column("last_day", sa.Date, nullable=False),
        sa.Column("source", sa.String(300), nullable=False, server_default=""),
        sa.Column("estimated", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("changed_by", sa.String(200)),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_index("ix_school_breaks_district", "school_breaks", ["district", "school_year"], schema=S)
    op.create_table(
        "school_break_years",
        sa.Column("district", sa.String(40), primary_key=True),
        sa.Column("school_year", sa.String(7), primary_key=True),
        schema=S,
    )


def downgrade() -> None:
    for table in ("school_break_years", "school_breaks"):
        op.drop_table(table, schema=S)
    op.drop_column("groups", "meet_during_breaks", schema=S)
