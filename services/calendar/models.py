"""Tables of the calendar service (schema `calendar`).

Double booking is prevented by PostgreSQL itself: every booked meeting is a `tstzrange` row and an
EXCLUDE constraint (btree_gist) forbids two overlapping rows for one venue or one starter, so two
replicas scheduling at once cannot both win.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, TSTZRANGE, ExcludeConstraint

from shared.audit import audit_table
from shared.db import service_metadata
from shared.messaging import inbox_table, outbox_table
from shared.revocation import link_revocations_table, revoked_staff_tokens_table

SCHEMA = "calendar"
metadata = service_metadata(SCHEMA)

groups = Table(
    "groups",
    metadata,
    Column("group_id", Uuid, primary_key=True),
    Column("district", String(40), nullable=False),
    Column("slot", String(20), nullable=False),
    Column("format", String(20), nullable=False),
    Column("municipalities", JSONB, nullable=False),
    # to_schedule -> scheduled | failed; ended once the group dissolves or ends
    Column("status", String(20), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("formed_event_id", Uuid),
    Column("correlation_id", Uuid),
    Column("venue_id", Uuid, ForeignKey("venues.id")),
    Column("meeting_url", Text),
    Column("starter_id", Uuid, ForeignKey("starters.id")),
    Column("failure_reason", Text),
    # The same as {"code": ..., "params": {...}} for the staff page in the reader's language (None before 0005).
    Column("failure_code", JSONB),
    # The weekly slots every member can attend (from group.formed): the other times staff may choose.
    Column("shared_slots", JSONB),
    # Bookings and reminders exist up to here; the planner extends them as time goes by.
    Column("planned_until", DateTime(timezone=True)),
    # Scheduling waits until then (set after an unexpected error, so one group cannot block the rest).
    Column("schedule_after", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # When it dissolved or ended: its member list and absences go `closed_group_retention_days` later.
    Column("ended_at", DateTime(timezone=True)),
    # Staff set this when the group chose to meet during school breaks (services/calendar/breaks.py).
    Column("meet_during_breaks", Boolean, nullable=False, server_default=text("false")),
    # When its starters were thanked and let go after its first meetings (starter_release.py).
    Column("starters_released_at", DateTime(timezone=True)),
)

memberships = Table(
    "memberships",
    metadata,
    Column("group_id", Uuid, ForeignKey("groups.group_id", ondelete="CASCADE"), primary_key=True),
    Column("participant_id", Uuid, primary_key=True),
    # A newcomer voted into a running group: the Norwegian day they joined (their feed starts at the next
    # meeting). None for the members the group was formed and started with.
    Column("joined_on", Date),
    # Only once the group has started, for its starter's page (starter.roster_shared.v1); gone with the row.
    Column("first_name", String(100)),
    Index("ix_memberships_participant_id", "participant_id"),
)

venues = Table(
    "venues",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("municipality", String(4), nullable=False),
    Column("district", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("address", String(300), nullable=False, server_default=""),
    Column("kind", String(30), nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("accessible", Boolean, nullable=False),
    Column("opening_hours", JSONB, nullable=False),  # {"tue": [["17:00", "21:00"]], ...}
    Column("blackout_dates", JSONB, nullable=False),  # ["2027-05-17", ...]
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("municipality", "name", name="uq_venues_municipality_name"),
)

starters = Table(
    "starters",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("district", String(40), nullable=False),
    Column("first_name", String(100), nullable=False),
    Column("email", String(254), nullable=False),
    Column("availability", JSONB, nullable=False),  # same shape as venues.opening_hours
    Column("active", Boolean, nullable=False, server_default=text("true")),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # The language of its messages (nb, nn, en).
    Column("language", String(2), nullable=False, server_default="nb"),
    UniqueConstraint("district", "email", name="uq_starters_district_email"),
)

series = Table(
    "series",
    metadata,
    Column("group_id", Uuid, ForeignKey("groups.group_id", ondelete="CASCADE"), primary_key=True),
    Column("segment", Integer, primary_key=True),
    Column("weekday", SmallInteger, nullable=False),
    Column("start_time", Time, nullable=False),
    Column("first_date", Date, nullable=False),
    Column("interval_weeks", SmallInteger, nullable=False),
    Column("duration_minutes", Integer, nullable=False),
    Column("exdates", JSONB, nullable=False),
    Column("cancelled", JSONB, nullable=False),
    Column("overrides", JSONB, nullable=False),  # [{"original_date", "start" (local), "duration_minutes"}]
    Column("paused_from", Date),
    Column("ended_on", Date),
    Column("sequence", Integer, nullable=False),
)

venue_bookings = Table(
    "venue_bookings",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("venue_id", Uuid, ForeignKey("venues.id"), nullable=False),
    Column("group_id", Uuid, ForeignKey("groups.group_id", ondelete="CASCADE"), nullable=False),
    Column("during", TSTZRANGE, nullable=False),
    ExcludeConstraint(("venue_id", "="), ("during", "&&"), using="gist", name="venue_bookings_no_overlap"),
    Index("ix_venue_bookings_group_id", "group_id"),
)

starter_bookings = Table(
    "starter_bookings",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("starter_id", Uuid, ForeignKey("starters.id"), nullable=False),
    Column("group_id", Uuid, ForeignKey("groups.group_id", ondelete="CASCADE"), nullable=False),
    Column("during", TSTZRANGE, nullable=False),
    ExcludeConstraint(
        ("starter_id", "="), ("during", "&&"), using="gist", name="starter_bookings_no_overlap"
    ),
    Index("ix_starter_bookings_group_id", "group_id"),
)

reminders = Table(
    "reminders",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("group_id", Uuid, ForeignKey("groups.group_id", ondelete="CASCADE"), nullable=False),
    Column("meeting_start", DateTime(timezone=True), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("state", String(10), nullable=False, server_default="pending"),  # pending | sent | skipped
    Column("sent_at", DateTime(timezone=True)),
    # Sent rows stay: the key then stops the planner from creating (and sending) the reminder again.
    UniqueConstraint("group_id", "meeting_start", "kind", name="uq_reminders_meeting_kind"),
)

absences = Table(
    "absences",
    metadata,
    Column("group_id", Uuid, ForeignKey("groups.group_id", ondelete="CASCADE"), primary_key=True),
    Column("participant_id", Uuid, primary_key=True),
    Column("meeting_start", DateTime(timezone=True), primary_key=True),
    Column("reported_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_absences_participant_id", "participant_id"),
)

at_risk_alerts = Table(
    "at_risk_alerts",
    metadata,
    Column("group_id", Uuid, ForeignKey("groups.group_id", ondelete="CASCADE"), primary_key=True),
    Column("meeting_start", DateTime(timezone=True), primary_key=True),
    Column("flagged_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# "I cannot come to this meeting" from a group's starter (starter_pages.py): the district office finds a
# replacement and marks it handled. One row per meeting of a group (a group has one starter).
starter_absences = Table(
    "starter_absences",
    metadata,
    Column("group_id", Uuid, ForeignKey("groups.group_id", ondelete="CASCADE"), primary_key=True),
    Column("meeting_start", DateTime(timezone=True), primary_key=True),
    Column("starter_id", Uuid, ForeignKey("starters.id"), nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("handled_at", DateTime(timezone=True)),
    # The starter the district office booked for this meeting instead (starter_replacing.py), and who did.
    Column("replacement_id", Uuid, ForeignKey("starters.id")),
    Column("handled_by", String(200)),
)

# Per district: may a group be scheduled without a starter when none is free (staff decide; default no).
district_settings = Table(
    "district_settings",
    metadata,
    Column("district", String(40), primary_key=True),
    Column("schedule_without_starter", Boolean, nullable=False, server_default=text("false")),
    Column("changed_by", String(200)),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# A district's school breaks once its staff edited a school year (services/calendar/breaks.py); until then
# the shipped breaks of its counties (shared/reference/school_breaks.csv) apply.
school_breaks = Table(
    "school_breaks",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("district", String(40), nullable=False),
    Column("county", String(2), nullable=False),
    Column("school_year", String(7), nullable=False),
    Column("kind", String(20), nullable=False),  # autumn | christmas | winter | easter | other
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    Column("source", String(300), nullable=False, server_default=""),
    Column("estimated", Boolean, nullable=False, server_default=text("false")),
    Column("changed_by", String(200)),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_school_breaks_district", "district", "school_year"),
)

# The school years whose breaks a district has taken over from the shipped data (first edit copies them).
school_break_years = Table(
    "school_break_years",
    metadata,
    Column("district", String(40), primary_key=True),
    Column("school_year", String(7), primary_key=True),
)

# Who changed what in the calendar's console (unblocking a group, school breaks), and why (shared/audit).
audit_log = audit_table(metadata, Column("detail", String(500)))

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
# Links and staff tokens this service must refuse although they verify (shared/revocation.py).
link_revocations = link_revocations_table(metadata)
revoked_staff_tokens = revoked_staff_tokens_table(metadata)
