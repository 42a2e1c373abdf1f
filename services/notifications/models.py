"""Tables of the notification service (schema `notifications`)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    Uuid,
    func,
)

from shared.db import service_metadata
from shared.messaging import inbox_table, outbox_table
from shared.revocation import link_revocations_table, revoked_staff_tokens_table

SCHEMA = "notifications"
metadata = service_metadata(SCHEMA)

contacts = Table(
    "contacts",
    metadata,
    Column("participant_id", Uuid, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320)),
    Column("mobile", String(20)),
    Column("language", String(2), nullable=False),
    Column("channel", String(10), nullable=False, server_default="both"),  # email | sms | both
    Column("non_essential_opt_out", String(5), nullable=False, server_default="false"),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("source_event_id", Uuid, nullable=False),
    Column("recipient_id", Uuid, nullable=False),
    Column("channel", String(10), nullable=False),
    Column("message_type", String(40), nullable=False),
    Column("language", String(2), nullable=False),
    Column("context", Text, nullable=False),  # JSON; rendered at send time, deleted on erasure
    Column("state", String(10), nullable=False, server_default="queued"),  # queued | sent | failed | expired
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("last_error", String(500)),
    Column("due_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("sent_at", DateTime(timezone=True)),
    # Whom the message is about when that is not the recipient (the absent member of an absence notice):
    # erasing that person deletes the row too.
    Column("subject_id", Uuid),
    Column("group_id", Uuid),
    Column("district", String(40)),  # staff see the deliveries of their own district's groups
    # One delivery per (source event, recipient, channel): the exactly-once key.
    UniqueConstraint("source_event_id", "recipient_id", "channel", "message_type", name="uq_deliveries_once"),
)

# This service's copy of the groups it tells people about, from grouping's and calendar's events.
groups = Table(
    "groups",
    metadata,
    Column("group_id", Uuid, primary_key=True),
    Column("state", String(10), nullable=False, server_default="unknown"),  # unknown|formed|started|ended
    Column("district", String(40)),
    Column("respond_by", DateTime(timezone=True)),
    Column("formed_event_id", Uuid),
    Column("started_event_id", Uuid),
    # The series, from meeting.scheduled.v1 (moved to the new start when the whole series changes).
    Column("first_meeting", DateTime(timezone=True)),
    Column("interval_weeks", Integer),
    Column("duration_minutes", Integer),
    Column("venue_name", String(200)),
    Column("venue_address", String(300)),
    Column("meeting_url", String(500)),
    Column("starter_name", String(100)),
    Column("starter_meetings", Integer),
    # A pause (no meetings from this day) or an end (none after this day), from meeting.changed.v1.
    Column("paused_from", Date),
    Column("last_day", Date),
    # Set once the messages are queued, so the second of two triggering events sends them exactly once.
    Column("invitations_queued_at", DateTime(timezone=True)),
    Column("start_queued_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

group_members = Table(
    "group_members",
    metadata,
    Column("group_id", Uuid, primary_key=True),
    Column("participant_id", Uuid, primary_key=True),
    Column("state", String(10), nullable=False),  # invited | active | left
    Index("ix_group_members_participant", "participant_id"),
)

# "I can't come" (meldeplikt): one report per person and meeting.
absences = Table(
    "absences",
    metadata,
    Column("participant_id", Uuid, primary_key=True),
    Column("meeting_start", DateTime(timezone=True), primary_key=True),
    Column("group_id", Uuid, nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
# Links and staff tokens this service must refuse although they verify (shared/revocation.py).
link_revocations = link_revocations_table(metadata)
revoked_staff_tokens = revoked_staff_tokens_table(metadata)
