"""the audit log's append-only trigger lets the owner's `selvhjelp audit prune` delete expired entries

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None
S = "registration"

# Still refuses every UPDATE, and every DELETE except in a transaction that said it prunes
# (shared/audit/retention.py sets `selvhjelp.audit_prune` locally). That is no door for the service:
# its role has no DELETE right on the table at all (shared/db/roles.py), so only the owner gets this
# far; the trigger keeps the owner's own slips (a stray DELETE in psql) from removing entries.
PRUNABLE = (
    f"CREATE OR REPLACE FUNCTION {S}.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN"
    " IF TG_OP = 'DELETE' AND current_setting('selvhjelp.audit_prune', true) = 'on' THEN RETURN OLD; END IF;"
    " RAISE EXCEPTION 'audit_log is append-only';"
    " END $$"
)
APPEND_ONLY = (
    f"CREATE OR REPLACE FUNCTION {S}.audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$"
)


def upgrade() -> None:
    op.execute(PRUNABLE)


def downgrade() -> None:
    op.execute(APPEND_ONLY)
