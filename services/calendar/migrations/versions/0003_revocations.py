"""link_revocations and revoked_staff_tokens: a person's links cut on erasure, staff tokens signed out
(shared/revocation.py, ADR 0010)

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
S = "calendar"


def upgrade() -> None:
    op.create_table(
        "link_revocations",
        sa.Column("person_digest", sa.String(64), primary_key=True),
        sa.Column("links_valid_after", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )
    op.create_table(
        "revoked_staff_tokens",
        sa.Column("token_id", sa.String(64), primary_key=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("revoked_staff_tokens", schema=S)
    op.drop_table("link_revocations", schema=S)
