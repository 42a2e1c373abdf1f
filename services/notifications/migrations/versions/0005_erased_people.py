"""who was erased, found by id in the erasure's own trail (this service's participant.data_deleted.v1
events): a group event late for an erasure queues nothing and stores no membership for the person

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None
S = "notifications"


def upgrade() -> None:
    op.create_index(
        "ix_outbox_data_deleted",
        "outbox",
        [sa.text("(payload #>> '{data,participant_id}')")],
        schema=S,
        postgresql_where=sa.text("event_type = 'participant.data_deleted.v1'"),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_data_deleted", "outbox", schema=S)
