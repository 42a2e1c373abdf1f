"""venues, starters, series, bookings with exclusion constraints, reminders, absences, memberships

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None
S = "calendar"

_NOW = sa.func.now()


def _group_fk() -> sa.Column:
    return sa.Column(
        "group_id", sa.Uuid, sa.ForeignKey(f"{S}.groups.group_id", ondelete="CASCADE"), nullable=False
    )


def upgrade() -> None:
    # btree_gist lets one EXCLUDE constraint combine `=` on an id with `&&` on a time range.
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")

    op.create_table(
        "venues",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("municipality", sa.String(4), nullable=False),
        sa.Column("district", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(300), nullable=False, server_default=""),
        sa.Column("kind", sa.String(30), nullable=False),
        sa.Column("capacity", sa.Integer, nullable=False),
        sa.Column("accessible", sa.Boolean, nullable=False),
        sa.Column("opening_hours", postgresql.JSONB, nullable=False),
        sa.Column("blackout_dates", postgresql.JSONB, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.UniqueConstraint("municipality", "name", name="uq_venues_municipality_name"),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_venues_capacity_positive")),
        schema=S,
    )
    op.create_index("ix_venues_district", "venues", ["district"], schema=S)

    op.create_table(
        "starters",
        sa.Column("id", sa.Uuid, primary_key=True),
        sa.Column("district", sa.String(40), nullable=False),
        sa.Column("first_name", sa.String(100), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("availability", postgresql.JSONB, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False, server_default=sa.text("true")),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        sa.UniqueConstraint("district", "email", name="uq_starters_district_email"),
        schema=S,
    )

    op.add_column("groups", sa.Column("formed_event_id", sa.Uuid), schema=S)
    op.add_column("groups", sa.Column("correlation_id", sa.Uuid), schema=S)
    op.add_column("groups", sa.Column("venue_id", sa.Uuid, sa.ForeignKey(f"{S}.venues.id")), schema=S)
    op.add_column("groups", sa.Column("meeting_url", sa.Text), schema=S)
    op.add_column("groups", sa.Column("starter_id", sa.Uuid, sa.ForeignKey(f"{S}.starters.id")), schema=S)
    op.add_column("groups", sa.Column("failure_reason", sa.Text), schema=S)
    op.add_column("groups", sa.Column("planned_until", sa.DateTime(timezone=True)), schema=S)
    op.add_column(
        "groups",
        sa.Column("schedule_after", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        schema=S,
    )
    op.add_column(
        "groups",
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        schema=S,
    )
    op.create_index(
        "ix_groups_to_schedule",
        "groups",
        ["schedule_after", "received_at"],
        schema=S,
        postgresql_where=sa.text("status = 'to_schedule'"),
    )

    # Members move from a JSON list to rows, so a person's groups (feeds, erasure) are an index lookup.
    op.create_table(
        "memberships",
        sa.Column(
            "group_id",
            sa.Uuid,
            sa.ForeignKey(f"{S}.groups.group_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("participant_id", sa.Uuid, primary_key=True),
        schema=S,
    )
    op.create_index("ix_memberships_participant_id", "memberships", ["participant_id"], schema=S)
    op.execute(
        f"INSERT INTO {S}.memberships (group_id, participant_id) "
        f"SELECT DISTINCT group_id, jsonb_array_elements_text(members)::uuid FROM {S}.groups"
    )
    op.drop_column("groups", "members", schema=S)

    op.create_table(
        "series",
        sa.Column(
            "group_id",
            sa.Uuid,
            sa.ForeignKey(f"{S}.groups.group_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("segment", sa.Integer, primary_key=True),
        sa.Column("weekday", sa.SmallInteger, nullable=False),
        sa.Column("start_time", sa.Time, nullable=False),
        sa.Column("first_date", sa.Date, nullable=False),
        sa.Column("interval_weeks", sa.SmallInteger, nullable=False),
        sa.Column("duration_minutes", sa.Integer, nullable=False),
        sa.Column("exdates", postgresql.JSONB, nullable=False),
        sa.Column("cancelled", postgresql.JSONB, nullable=False),
        sa.Column("overrides", postgresql.JSONB, nullable=False),
        sa.Column("paused_from", sa.Date),
        sa.Column("ended_on", sa.Date),
        sa.Column("sequence", sa.Integer, nullable=False),
        schema=S,
    )

    for table, owner, owner_table in (
        ("venue_bookings", "venue_id", "venues"),
        ("starter_bookings", "starter_id", "starters"),
    ):
        op.create_table(
            table,
            sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
            sa.Column(owner, sa.Uuid, sa.ForeignKey(f"{S}.{owner_table}.id"), nullable=False),
            _group_fk(),
            sa.Column("during", postgresql.TSTZRANGE, nullable=False),
            sa.CheckConstraint("NOT isempty(during)", name=op.f(f"ck_{table}_not_empty")),
            postgresql.ExcludeConstraint(
                (owner, "="), ("during", "&&"), using="gist", name=f"{table}_no_overlap"
            ),
            schema=S,
        )
        op.create_index(f"ix_{table}_group_id", table, ["group_id"], schema=S)

    op.create_table(
        "reminders",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
        _group_fk(),
        sa.Column("meeting_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("state", sa.String(10), nullable=False, server_default="pending"),
        sa.Column("sent_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("group_id", "meeting_start", "kind", name="uq_reminders_meeting_kind"),
        schema=S,
    )
    # The sender's scan only looks at pending rows by due time; keep that index small.
    op.create_index(
        "ix_reminders_pending_due",
        "reminders",
        ["due_at"],
        schema=S,
        postgresql_where=sa.text("state = 'pending'"),
    )

    op.create_table(
        "absences",
        sa.Column(
            "group_id",
            sa.Uuid,
            sa.ForeignKey(f"{S}.groups.group_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("participant_id", sa.Uuid, primary_key=True),
        sa.Column("meeting_start", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        schema=S,
    )
    op.create_index("ix_absences_participant_id", "absences", ["participant_id"], schema=S)

    op.create_table(
        "at_risk_alerts",
        sa.Column(
            "group_id",
            sa.Uuid,
            sa.ForeignKey(f"{S}.groups.group_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("meeting_start", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False, server_default=_NOW),
        schema=S,
    )


def downgrade() -> None:
    for table in (
        "at_risk_alerts",
        "absences",
        "reminders",
        "starter_bookings",
        "venue_bookings",
        "series",
    ):
        op.drop_table(table, schema=S)
    op.add_column(
        "groups",
        sa.Column("members", postgresql.JSONB, nullable=False, server_default=sa.text("'[]'::jsonb")),
        schema=S,
    )
    op.execute(
        f"UPDATE {S}.groups g SET members = COALESCE((SELECT jsonb_agg(m.participant_id::text) "
        f"FROM {S}.memberships m WHERE m.group_id = g.group_id), '[]'::jsonb)"
    )
    op.alter_column("groups", "members", server_default=None, schema=S)
    op.drop_table("memberships", schema=S)
    op.drop_index("ix_groups_to_schedule", table_name="groups", schema=S)
    for column in (
        "updated_at",
        "schedule_after",
        "planned_until",
        "failure_reason",
        "starter_id",
        "meeting_url",
        "venue_id",
        "correlation_id",
        "formed_event_id",
    ):
        op.drop_column("groups", column, schema=S)
    op.drop_table("starters", schema=S)
    op.drop_table("venues", schema=S)
    # btree_gist stays: other schemas of the database may use it.
