"""Tables of the registration service (schema `registration`). Only this service reads them."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.audit import audit_table
from shared.db import service_metadata
from shared.messaging import inbox_table, outbox_table
from shared.revocation import link_revocations_table, revoked_staff_tokens_table

SCHEMA = "registration"
metadata = service_metadata(SCHEMA)

registrations = Table(
    "registrations",
    metadata,
    Column("participant_id", Uuid, primary_key=True),
    Column("status", String(20), nullable=False),  # waiting | placed | withdrawn
    Column("name", String(200), nullable=False),
    Column("email", String(320)),
    Column("mobile", String(20)),
    Column("birth_date", Date, nullable=False),
    Column("gender", String(20), nullable=False),
    Column("municipality", String(4), nullable=False),
    Column("district", String(40), nullable=False),
    Column("topic", String(40), nullable=False),
    Column("topic_text", Text),
    Column("composition", String(20), nullable=False),
    Column("format", String(20), nullable=False),
    Column("availability", JSONB, nullable=False),
    Column("single_gender", Boolean, nullable=False),
    Column("language", String(2), nullable=False),
    Column("source", String(20), nullable=False),
    Column("external_ref", String(200)),
    # Whose namespace `external_ref` is in: a partner system's name (shared/partners.py) for what it
    # submitted, else the source, as before partners had their own. References are unique per sender.
    Column("sender", String(100), nullable=False),
    Column("consent_version", String(40), nullable=False),
    Column("consent_given_at", DateTime(timezone=True), nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Set when a group with the person started (or admitted them): such a registration led to a group.
    Column("placed_at", DateTime(timezone=True)),
    # The person's latest group, and when it ended or they left it (or it dissolved): the placed are
    # erased `placed_retention_days` after that. Null while they are in a running group.
    Column("group_id", Uuid),
    Column("left_group_at", DateTime(timezone=True)),
    # The contact point (its subject) that registered the person on their behalf; null otherwise.
    Column("submitted_by", String(200)),
    # What would get the person a group sooner (grouping's participant.waiting_options_changed.v1), while waiting.
    Column("waiting_options", JSONB),
    Index(
        "uq_registrations_sender_external_ref",
        "sender",
        "external_ref",
        unique=True,
        postgresql_where=text("external_ref IS NOT NULL"),
    ),
    Index("ix_registrations_district_status", "district", "status"),
    Index("ix_registrations_never_placed", "registered_at", postgresql_where=text("placed_at IS NULL")),
    Index("ix_registrations_left_group", "left_group_at", postgresql_where=text("left_group_at IS NOT NULL")),
    Index("ix_registrations_submitted_by", "submitted_by", postgresql_where=text("submitted_by IS NOT NULL")),
    # Staff search (migration 0008): part of a name, a whole e-mail or mobile.
    Index(
        "ix_registrations_name_trgm", "name", postgresql_using="gin", postgresql_ops={"name": "gin_trgm_ops"}
    ),
    Index("ix_registrations_email_lower", func.lower(text("email"))),
    Index("ix_registrations_mobile", "mobile"),
)

# What happened to a registration, oldest first, for staff (history.py): its own commands and the group
# events registration consumes. Kinds, not words; no contact details. Erased with the person.
registration_history = Table(
    "registration_history",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("participant_id", Uuid, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("kind", String(40), nullable=False),
    Column("actor", String(200)),
    Column("detail", JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    Index("ix_registration_history_participant", "participant_id", "at"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("participant_id", Uuid, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

# Which fields of a person staff read, and the reason they gave.
audit_log = audit_table(metadata, Column("fields", String(200)), Column("reason", String(500)))

erasure_reports = Table(
    "erasure_reports",
    metadata,
    Column("participant_id", Uuid, primary_key=True),
    Column("service", String(40), primary_key=True),
    Column("rows_deleted", Integer, nullable=False),
    Column("reported_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
# Links and staff tokens this service must refuse although they verify (shared/revocation.py).
link_revocations = link_revocations_table(metadata)
revoked_staff_tokens = revoked_staff_tokens_table(metadata)
