"""newcomers: the group asks for a number of newcomers and votes on each proposed candidate (issue 22)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None
S = "grouping"


def upgrade() -> None:
    op.add_column(
        "admission_requests",
        sa.Column("wanted", sa.SmallInteger, nullable=False, server_default="1"),
        schema=S,
    )
    op.add_column("admission_requests", sa.Column("requested_by", sa.Uuid), schema=S)
    op.add_column("admission_requests", sa.Column("decided_at", sa.DateTime(timezone=True)), schema=S)
    op.create_table(
        "admission_candidates",
        sa.Column("request_id", sa.Uuid, primary_key=True),
        sa.Column("participant_id", sa.Uuid, primary_key=True),
        sa.Column("position", sa.SmallInteger, nullable=False),
        sa.Column("status", sa.String(20), nullable=False, server_default="proposed"),
        sa.UniqueConstraint("request_id", "position", name="uq_admission_candidates_position"),
        schema=S,
    )
    op.create_index(
        "ix_admission_candidates_participant_id", "admission_candidates", ["participant_id"], schema=S
    )
    op.create_table(
        "candidate_votes",
        sa.Column("request_id", sa.Uuid, primary_key=True),
        sa.Column("position", sa.SmallInteger, primary_key=True),
        sa.Column("voter_id", sa.Uuid, primary_key=True),
        sa.Column("yes", sa.Boolean, nullable=False),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_index("ix_candidate_votes_voter_id", "candidate_votes", ["voter_id"], schema=S)
    op.create_index(
        "ix_admission_requests_voting_vote_by",
        "admission_requests",
        ["vote_by"],
        schema=S,
        postgresql_where=sa.text("status = 'voting'"),
    )


def downgrade() -> None:
    op.drop_index("ix_admission_requests_voting_vote_by", "admission_requests", schema=S)
    op.drop_table("candidate_votes", schema=S)
    op.drop_table("admission_candidates", schema=S)
    for column in ("decided_at", "requested_by", "wanted"):
        op.drop_column("admission_requests", column, schema=S)
