"""external references are unique per sender (a partner system, or else the source), not per source

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None
S = "registration"


def upgrade() -> None:
    op.add_column("registrations", sa.Column("sender", sa.String(100)), schema=S)
    # What every registration so far was unique by: its source.
    op.execute(f"UPDATE {S}.registrations SET sender = source")
    op.alter_column("registrations", "sender", nullable=False, schema=S)
    op.drop_index("uq_registrations_source_external_ref", table_name="registrations", schema=S)
    op.create_index(
        "uq_registrations_sender_external_ref",
        "registrations",
        ["sender", "external_ref"],
        unique=True,
        schema=S,
        postgresql_where=sa.text("external_ref IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_registrations_sender_external_ref", table_name="registrations", schema=S)
    op.create_index(
        "uq_registrations_source_external_ref",
        "registrations",
        ["source", "external_ref"],
        unique=True,
        schema=S,
        postgresql_where=sa.text("external_ref IS NOT NULL"),
    )
    op.drop_column("registrations", "sender", schema=S)
