"""registrations, idempotency keys, append-only audit log, erasure reports, outbox, inbox

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from shared.db.migration_ops import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None
S = "registration"


def upgrade() -> None:
    create_messaging_tables(S)
    op.create_table(
        "registrations",
        sa.Column("participant_id", sa.Uuid, primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("mobile", sa.String(20)),
        sa.Column("birth_date", sa.Date, nullable=False),
        sa.Column("gender", sa.String(20), nullable=False),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("district", sa.String(40), nullable=False),
        sa.Column("topic", sa.String(40), nullable=False),
        sa.Column("topic_text", sa.Text),
        sa.Column("composition", sa.String(20), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("availability", postgresql.JSONB, nullable=False),
        sa.Column("single_gender", sa.Boolean, nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("external_ref", sa.String(200)),
        sa.Column("consent_version", sa.String(40), nullable=False),
        sa.Column("consent_given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_index(
        "uq_registrations_source_external_ref",
        "registrations",
        ["source", "external_ref"],
        unique=True,
        schema=S,
        postgresql_where=sa.text("external_ref IS NOT NULL"),
    )
    op.create_index("ix_registrations_district_status", "registrations", ["district", "status"], schema=S)
    op.create_table(
        "idempotency_keys",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("participant_id", sa.Uuid, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
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
        sa.Column("fields", sa.String(200)),
        sa.Column("reason", sa.String(500)),
        schema=S,
    )
    # Append-only: the database itself refuses to change or remove an audit entry.
    op.execute(
        f"CREATE FUNCTION {S}.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
        " BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"
    )
    op.execute(
        f"CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON {S}.audit_log"
        f" FOR EACH ROW EXECUTE FUNCTION {S}.audit_log_is_append_only()"
    )
    op.create_table(
        "erasure_reports",
        sa.Column("participant_id", sa.Uuid, primary_key=True),
        sa.Column("service", sa.String(40), primary_key=True),
        sa.Column("rows_deleted", sa.Integer, nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )


def downgrade() -> None:
    for table in ("erasure_reports", "audit_log", "idempotency_keys", "registrations"):
        op.drop_table(table, schema=S)
    op.execute(f"DROP FUNCTION IF EXISTS {S}.audit_log_is_append_only()")
    drop_messaging_tables(S)
