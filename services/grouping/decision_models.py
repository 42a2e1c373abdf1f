"""Tables of a group's own decisions (migration 0008), in grouping's one metadata; kept apart from
models.py so that the decisions' tables read as one piece."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Table, Uuid, text
from sqlalchemy.dialects.postgresql import JSONB

from .models import metadata

decisions = Table(
    "decisions",
    metadata,
    Column("decision_id", Uuid, primary_key=True),
    Column("group_id", Uuid, nullable=False),
    Column("district", String(40), nullable=False),
    Column("kind", String(20), nullable=False),  # below_minimum | change | merge (decision_rules.Kind)
    # change: {"change": "frequency", "interval_weeks": 2} or {"change": "pause", "from", "until"} or
    # {"change": "end"}; merge and below_minimum: {"merge_with": group id} when a partner was found.
    Column("proposal", JSONB, nullable=False, server_default="{}"),
    Column("proposed_by", Uuid),  # the member who proposed a change; None: opened by the system
    Column("status", String(20), nullable=False, server_default="open"),  # open|decided|follow_up|closed
    Column("opened_at", DateTime(timezone=True), nullable=False),
    Column("deadline", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True)),
    Column("outcome", JSONB),  # {"result": ..., "newcomers": n}
    Index("ix_decisions_status_deadline", "status", "deadline"),
    Index(
        "uq_decisions_one_open_per_kind",
        "group_id",
        "kind",
        unique=True,
        postgresql_where=text("status = 'open'"),
    ),
)

decision_votes = Table(
    "decision_votes",
    metadata,
    Column("decision_id", Uuid, primary_key=True),
    Column("participant_id", Uuid, primary_key=True),
    Column("choice", String(20), nullable=False),
    Column("newcomers", Integer),
    Column("voted_at", DateTime(timezone=True), nullable=False),
)
