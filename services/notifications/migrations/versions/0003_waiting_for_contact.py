"""messages waiting for a person's contact details: found by person, and swept for contacts that arrived

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None
S = "notifications"


def upgrade() -> None:
    op.create_index(
        "ix_deliveries_waiting_for_contact",
        "deliveries",
        ["recipient_id"],
        schema=S,
        postgresql_where=sa.text("channel = 'none' AND state = 'failed'"),
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_waiting_for_contact", "deliveries", schema=S)
