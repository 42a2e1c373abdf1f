"""Tables of the grouping service (schema `grouping`)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
    Uuid,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.audit import audit_table
from shared.db import service_metadata
from shared.messaging import inbox_table, outbox_table
from shared.revocation import link_revocations_table, revoked_staff_tokens_table

SCHEMA = "grouping"
metadata = service_metadata(SCHEMA)

pool = Table(
    "pool",
    metadata,
    Column("participant_id", Uuid, primary_key=True),
    Column("district", String(40), nullable=False),
    Column("municipality", String(4), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("gender", String(20), nullable=False),
    Column("topic", String(40), nullable=False),
    Column("composition", String(20), nullable=False),
    Column("format", String(20), nullable=False),
    Column("availability", JSONB, nullable=False),
    Column("single_gender", Boolean, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False, server_default="waiting"),  # waiting | invited | member
    Column("waiting_reasons", JSONB),
    Index("ix_pool_district_status", "district", "status"),
)

groups = Table(
    "groups",
    metadata,
    Column("group_id", Uuid, primary_key=True),
    Column("district", String(40), nullable=False),
    Column("slot", String(20), nullable=False),
    Column("format", String(20), nullable=False),
    Column("status", String(20), nullable=False),  # proposed | started | dissolved | ended
    Column("topics", JSONB, nullable=False),
    Column("municipalities", JSONB, nullable=False),
    Column("formed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("started_at", DateTime(timezone=True)),
    Column("flag", String(200)),  # why staff should look: scheduling failed, below minimum
    Column("flag_code", JSONB),  # the same as {"code", "params"}, for pages in the reader's language
    Column("approved_by", String(200)),  # staff who approved a proposed group in the console
    Column("approved_at", DateTime(timezone=True)),
    # When it dissolved or ended: who was in it is forgotten `closed_group_retention_days` later.
    Column("closed_at", DateTime(timezone=True)),
    # The calendar's dated end (meeting.changed.v1 with last_day): the group ends the day after (ending.py).
    Column("last_day", Date),
)

memberships = Table(
    "memberships",
    metadata,
    Column("group_id", Uuid, primary_key=True),
    Column("participant_id", Uuid, primary_key=True),
    Column("status", String(20), nullable=False),  # invited | accepted | declined | left
    Column("responded_at", DateTime(timezone=True)),
    # The database itself guarantees a person is in at most one group at a time.
    Index(
        "uq_memberships_one_active_group",
        "participant_id",
        unique=True,
        postgresql_where=text("status IN ('invited', 'accepted')"),
    ),
)

outbox = outbox_table(metadata)
inbox = inbox_table(metadata)
# Links and staff tokens this service must refuse although they verify (shared/revocation.py).
link_revocations = link_revocations_table(metadata)
revoked_staff_tokens = revoked_staff_tokens_table(metadata)

planning_requests = Table(
    "planning_requests",
    metadata,
    Column("district", String(40), primary_key=True),
    Column("requested_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

invitations = Table(
    "invitations",
    metadata,
    Column("group_id", Uuid, primary_key=True),
    Column("participant_id", Uuid, primary_key=True),
    Column("invited_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("confidentiality_confirmed_at", DateTime(timezone=True)),
)

admission_requests = Table(
    "admission_requests",
    metadata,
    Column("request_id", Uuid, primary_key=True),
    Column("group_id", Uuid, nullable=False),
    # voting | inviting (decided: the accepted are being invited) | filled | unfilled | refused | no_candidates
    Column("status", String(20), nullable=False),
    Column("vote_by", DateTime(timezone=True), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column(
        "wanted", SmallInteger, nullable=False, server_default="1"
    ),  # how many newcomers the group asks for
    Column("requested_by", Uuid),  # the member who asked; none when the group decided it together
    Column("decided_at", DateTime(timezone=True)),
    Index("ix_admission_requests_voting_vote_by", "vote_by", postgresql_where=text("status = 'voting'")),
)

# The people the planner proposed for a request, longest-waiting first (`position` 1, 2, ...). Members see
# a candidate by position only, never by id (services/grouping/newcomer_rules.py says what else they see).
admission_candidates = Table(
    "admission_candidates",
    metadata,
    Column("request_id", Uuid, primary_key=True),
    Column("participant_id", Uuid, primary_key=True),
    Column("position", SmallInteger, nullable=False),
    # proposed | accepted | refused (by the vote) | invited | joined | declined | unavailable (placed elsewhere)
    Column("status", String(20), nullable=False, server_default="proposed"),
    UniqueConstraint("request_id", "position", name="uq_admission_candidates_position"),
    Index("ix_admission_candidates_participant_id", "participant_id"),
)

# Each member's yes or no per candidate (by position); a member may change it until the vote is decided.
candidate_votes = Table(
    "candidate_votes",
    metadata,
    Column("request_id", Uuid, primary_key=True),
    Column("position", SmallInteger, primary_key=True),
    Column("voter_id", Uuid, primary_key=True),
    Column("yes", Boolean, nullable=False),
    Column("voted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_candidate_votes_voter_id", "voter_id"),
)

admission_votes = Table(
    "admission_votes",
    metadata,
    Column("request_id", Uuid, primary_key=True),
    Column("participant_id", Uuid, primary_key=True),
    Column("yes", Boolean, nullable=False),
    Column("voted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

attendance = Table(
    "attendance",
    metadata,
    Column("group_id", Uuid, primary_key=True),
    Column("participant_id", Uuid, primary_key=True),
    Column("meeting_start", DateTime(timezone=True), primary_key=True),
    Column("absent", Boolean, nullable=False),
)

# A withdrawal, kept for the statistics after the person's pool row goes: no id, no birth date, nothing
# that links it back to a person (services/grouping/statistics.py).
withdrawals = Table(
    "withdrawals",
    metadata,
    Column("id", BigInteger, primary_key=True, autoincrement=True),
    Column("district", String(40), nullable=False),
    Column("municipality", String(4), nullable=False),
    Column("topic", String(40), nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
    Column("placed_at", DateTime(timezone=True)),
    Column("withdrew_at", DateTime(timezone=True), nullable=False),
    Index("ix_withdrawals_district_registered_at", "district", "registered_at"),
)

# What else an entry says: how many people a read showed, which group a person was moved into.
audit_log = audit_table(metadata, Column("detail", String(500)))

# What was last told a waiting person would get them a group sooner (services/grouping/nudging.py): an
# option is published again only when it changes, or once when the person has waited long enough for a
# message about it. Deleted when the person leaves the pool.
waiting_options = Table(
    "waiting_options",
    metadata,
    Column("participant_id", Uuid, primary_key=True),
    Column("options", JSONB, nullable=False),
    Column("nudge", Boolean, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
)
