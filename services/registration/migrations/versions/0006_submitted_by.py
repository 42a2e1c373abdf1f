"""submitted_by on registrations: the contact point that registered the person on their behalf

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None
S = "registration"


def upgrade() -> None:
    # Null for everyone who registered themselves or came from another system.
    op.add_column("registrations", sa.Column("submitted_by", sa.String(200)), schema=S)
    # A contact point's status page: the registrations it submitted.
    op.create_index(
        "ix_registrations_submitted_by",
        "registrations",
        ["submitted_by"],
        schema=S,
        postgresql_where=sa.text("submitted_by IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_registrations_submitted_by", "registrations", schema=S)
    op.drop_column("registrations", "submitted_by", schema=S)
