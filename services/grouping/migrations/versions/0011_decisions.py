"""decisions: a group's own decisions by its members' votes (issue 22)

A decision (below the minimum: newcomers, merge or end; a member's proposed change; another group's wish
to merge) with its deadline, and each member's one vote, which they may change until the deadline.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None
S = "grouping"


def upgrade() -> None:
    op.create_table(
        "decisions",
        sa.Column("decision_id", sa.Uuid, primary_key=True),
        sa.Column("group_id", sa.Uuid, nullable=False),
        sa.Column("district", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("proposal", JSONB, nullable=False, server_default="{}"),
        sa.Column("proposed_by", sa.Uuid),
        sa.Column("status", sa.String(20), nullable=False, server_default="open"),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("outcome", JSONB),
        schema=S,
    )
    op.create_index("ix_decisions_status_deadline", "decisions", ["status", "deadline"], schema=S)
    op.create_index(
        "uq_decisions_one_open_per_kind",
        "decisions",
        ["group_id", "kind"],
        unique=True,
        schema=S,
        postgresql_where=sa.text("status = 'open'"),
    )
    op.create_table(
        "decision_votes",
        sa.Column("decision_id", sa.Uuid, primary_key=True),
        sa.Column("participant_id", sa.Uuid, primary_key=True),
        sa.Column("choice", sa.String(20), nullable=False),
        sa.Column("newcomers", sa.Integer),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("decision_votes", schema=S)
    op.drop_table("decisions", schema=S)
