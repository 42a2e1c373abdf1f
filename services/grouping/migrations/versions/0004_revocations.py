"""link_revocations and revoked_staff_tokens: a person's links cut on erasure, staff tokens signed out
(shared/revocation.py, ADR 0010)

Revision ID: 0004
Revises: 0003
"""

from shared.db.migration_ops import create_revocation_tables, drop_revocation_tables

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None
S = "grouping"


def upgrade() -> None:
    create_revocation_tables(S)


def downgrade() -> None:
    drop_revocation_tables(S)
