"""waiting_options: what would get a waiting person a group sooner, for the status page (issue 23)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None
S = "registration"


def upgrade() -> None:
    op.add_column("registrations", sa.Column("waiting_options", JSONB), schema=S)


def downgrade() -> None:
    op.drop_column("registrations", "waiting_options", schema=S)
