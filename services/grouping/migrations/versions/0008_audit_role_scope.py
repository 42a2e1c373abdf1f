"""the audit log says in which role and with which scope (district, municipalities, the country) an
entry's actor acted (issue 20): the columns shared.audit's audit_table adds to every service's table

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None
S = "grouping"


def upgrade() -> None:
    # Nullable: entries written before this, and by the system itself (jobs, consumers), have neither.
    op.add_column("audit_log", sa.Column("role", sa.String(40)), schema=S)
    op.add_column("audit_log", sa.Column("scope", sa.String(500)), schema=S)


def downgrade() -> None:
    op.drop_column("audit_log", "scope", schema=S)
    op.drop_column("audit_log", "role", schema=S)
