"""The intake's one statement: a new registration and its history's "received" entry, built once.

A round trip and a statement built per registration (`history.record`) cost the intake more CPU than both
inserts cost PostgreSQL (issue 19's bench, docs/quality.md), so the two rows go in one prebuilt statement.
"""

from __future__ import annotations

from sqlalchemy import bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import insert

from .models import registration_history, registrations

# The columns `registration_row` fills, and `submitted_by` (None unless a contact point registered them).
_ROW_COLUMNS = (
    "participant_id", "status", "name", "email", "mobile", "birth_date", "gender", "municipality",
    "district", "topic", "topic_text", "composition", "format", "availability", "single_gender", "language",
    "source", "external_ref", "sender", "consent_version", "consent_given_at", "registered_at", "updated_at",
    "submitted_by",
)  # fmt: skip
_INSERTED = (
    insert(registrations)
    .values({name: bindparam(name, type_=registrations.c[name].type) for name in _ROW_COLUMNS})
    .on_conflict_do_nothing()
    .returning(registrations.c.participant_id, registrations.c.registered_at, registrations.c.source)
    .cte("inserted")
)
# It returns the id only when the registration is new (a duplicate inserts neither row); the entry is at
# the registration's time and names its source, as `history.record` would write it.
INSERT_REGISTRATION = (
    insert(registration_history)
    .from_select(
        ["participant_id", "at", "kind", "detail"],
        select(
            _INSERTED.c.participant_id,
            _INSERTED.c.registered_at,
            literal_column("'received'"),
            func.jsonb_build_object(literal_column("'source'"), _INSERTED.c.source),
        ),
    )
    .returning(registration_history.c.participant_id)
    .add_cte(_INSERTED)
)
