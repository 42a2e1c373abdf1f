"""planning requests, invitations, admission requests and votes, attendance, audit log

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
S = "grouping"


def upgrade() -> None:
    op.add_column("groups", sa.Column("flag", sa.String(200)), schema=S)
    op.create_table(
        "planning_requests",
        sa.Column("district", sa.String(40), primary_key=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_table(
        "invitations",
        sa.Column("group_id", sa.Uuid, primary_key=True),
        sa.Column("participant_id", sa.Uuid, primary_key=True),
        sa.Column("invited_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confidentiality_confirmed_at", sa.DateTime(timezone=True)),
        schema=S,
    )
    op.create_table(
        "admission_requests",
        sa.Column("request_id", sa.Uuid, primary_key=True),
        sa.Column("group_id", sa.Uuid, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("vote_by", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_table(
        "admission_votes",
        sa.Column("request_id", sa.Uuid, primary_key=True),
        sa.Column("participant_id", sa.Uuid, primary_key=True),
        sa.Column("yes", sa.Boolean, nullable=False),
        sa.Column("voted_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_table(
        "attendance",
        sa.Column("group_id", sa.Uuid, primary_key=True),
        sa.Column("participant_id", sa.Uuid, primary_key=True),
        sa.Column("meeting_start", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("absent", sa.Boolean, nullable=False),
        schema=S,
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("district", sa.String(40)),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("subject_id", sa.Uuid),
        sa.Column("detail", sa.String(500)),
        schema=S,
    )


def downgrade() -> None:
    for table in (
        "audit_log",
        "attendance",
        "admission_votes",
        "admission_requests",
        "invitations",
        "planning_requests",
    ):
        op.drop_table(table, schema=S)
    op.drop_column("groups", "flag", schema=S)
