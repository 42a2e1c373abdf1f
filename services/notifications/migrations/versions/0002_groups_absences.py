"""groups and their members and schedule, absences, deliveries about a person and per district

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
S = "notifications"


def upgrade() -> None:
    op.create_table(
        "groups",
        sa.Column("group_id", sa.Uuid, primary_key=True),
        sa.Column("state", sa.String(10), nullable=False, server_default="unknown"),
        sa.Column("district", sa.String(40)),
        sa.Column("respond_by", sa.DateTime(timezone=True)),
        sa.Column("formed_event_id", sa.Uuid),
        sa.Column("started_event_id", sa.Uuid),
        sa.Column("first_meeting", sa.DateTime(timezone=True)),
        sa.Column("interval_weeks", sa.Integer),
        sa.Column("duration_minutes", sa.Integer),
        sa.Column("venue_name", sa.String(200)),
        sa.Column("venue_address", sa.String(300)),
        sa.Column("meeting_url", sa.String(500)),
        sa.Column("starter_name", sa.String(100)),
        sa.Column("starter_meetings", sa.Integer),
        sa.Column("invitations_queued_at", sa.DateTime(timezone=True)),
        sa.Column("start_queued_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    op.create_table(
        "group_members",
        sa.Column("group_id", sa.Uuid, primary_key=True),
        sa.Column("participant_id", sa.Uuid, primary_key=True),
        sa.Column("state", sa.String(10), nullable=False),
        schema=S,
    )
    op.create_index("ix_group_members_participant", "group_members", ["participant_id"], schema=S)
    op.create_table(
        "absences",
        sa.Column("participant_id", sa.Uuid, primary_key=True),
        sa.Column("meeting_start", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("group_id", sa.Uuid, nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        schema=S,
    )
    op.add_column("deliveries", sa.Column("subject_id", sa.Uuid), schema=S)
    op.add_column("deliveries", sa.Column("group_id", sa.Uuid), schema=S)
    op.add_column("deliveries", sa.Column("district", sa.String(40)), schema=S)
    # Erasure deletes by person; SMS replies find the person by number.
    op.create_index("ix_deliveries_recipient", "deliveries", ["recipient_id"], schema=S)
    op.create_index(
        "ix_deliveries_subject",
        "deliveries",
        ["subject_id"],
        schema=S,
        postgresql_where=sa.text("subject_id IS NOT NULL"),
    )
    op.create_index("ix_contacts_mobile", "contacts", ["mobile"], schema=S)


def downgrade() -> None:
    op.drop_index("ix_contacts_mobile", "contacts", schema=S)
    op.drop_index("ix_deliveries_subject", "deliveries", schema=S)
    op.drop_index("ix_deliveries_recipient", "deliveries", schema=S)
    op.drop_column("deliveries", "district", schema=S)
    op.drop_column("deliveries", "group_id", schema=S)
    op.drop_column("deliveries", "subject_id", schema=S)
    op.drop_table("absences", schema=S)
    op.drop_index("ix_group_members_participant", "group_members", schema=S)
    op.drop_table("group_members", schema=S)
    op.drop_table("groups", schema=S)
