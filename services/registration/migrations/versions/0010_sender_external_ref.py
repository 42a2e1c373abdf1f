"""external references are unique per sender (a partner system, or else the source), not per source

Revision ID: 0010
Revises: 0005

Numbered well after 0005 so that a revision other work adds meanwhile keeps its own number: whoever merges
both points this one's `down_revision` at the other (one head).
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0005"
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
