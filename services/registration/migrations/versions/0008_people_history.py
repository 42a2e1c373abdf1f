"""the registration's history (what happened to it, for staff), and indexes for staff search by name,
e-mail and mobile

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None
S = "registration"


def upgrade() -> None:
    op.create_table(
        "registration_history",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("participant_id", sa.Uuid, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200)),
        sa.Column("detail", postgresql.JSONB, nullable=False, server_default=sa.text("'{}'::jsonb")),
        schema=S,
    )
    op.create_index(
        "ix_registration_history_participant", "registration_history", ["participant_id", "at"], schema=S
    )
    # Staff find a caller by part of a name: a trigram index answers `name ILIKE '%nordmann%'` without
    # reading every registration. E-mail and mobile are found whole (lower-cased / normalised).
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute(f"CREATE INDEX ix_registrations_name_trgm ON {S}.registrations USING gin (name gin_trgm_ops)")
    op.execute(f"CREATE INDEX ix_registrations_email_lower ON {S}.registrations (lower(email))")
    op.create_index("ix_registrations_mobile", "registrations", ["mobile"], schema=S)


def downgrade() -> None:
    op.drop_index("ix_registrations_mobile", "registrations", schema=S)
    op.execute(f"DROP INDEX {S}.ix_registrations_email_lower")
    op.execute(f"DROP INDEX {S}.ix_registrations_name_trgm")
    op.drop_index("ix_registration_history_participant", "registration_history", schema=S)
    op.drop_table("registration_history", schema=S)
