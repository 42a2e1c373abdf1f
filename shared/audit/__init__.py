"""The audit trail a service keeps of what its staff read and change: one table per service, appended to
and never rewritten, read back per district (staff see only their own district's entries).

Registration and grouping each keep one. Every entry says who (`actor`), what (`action`), when (`at`), to
whom (`subject_id`: a person or a group, pseudonymous) and in which district; the rest of an entry is the
service's own (registration: which `fields` were read and the `reason` given; grouping: a `detail`).
The service's database role may only INSERT and SELECT here (shared/db/roles.py, AUDIT_TABLE).

The staff page and CSV export of the trail are in shared.audit.pages; entries older than
`audit_retention_days` are deleted by the owner's `selvhjelp audit prune` (shared.audit.retention).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table, Uuid, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

AUDIT_TABLE = "audit_log"
# Columns every entry has; those after them are the service's own details.
COMMON_COLUMNS = ("id", "at", "actor", "district", "action", "subject_id")


def audit_table(metadata: MetaData, *detail_columns: Column) -> Table:
    """The service's audit table in its schema: the common columns, then `detail_columns` (nullable
    strings). Exactly the table the services' migrations made: changing it here needs a migration."""
    return Table(
        AUDIT_TABLE,
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("actor", String(200), nullable=False),
        Column("district", String(40)),
        Column("action", String(60), nullable=False),
        Column("subject_id", Uuid),
        *detail_columns,
    )


def detail_columns(table: Table) -> list[str]:
    """The names of the service's own columns of its audit table."""
    return [c.name for c in table.columns if c.name not in COMMON_COLUMNS]


async def record_audit(
    session: AsyncSession,
    table: Table,
    *,
    actor: str,
    action: str,
    district: str | None,
    subject_id: uuid.UUID | None = None,
    **details: str | None,
) -> None:
    """Append an entry, in the caller's transaction (it stands or falls with what it records). With the
    district, so it shows on that district's audit page; `details` name the service's own columns."""
    await session.execute(
        insert(table).values(actor=actor, action=action, district=district, subject_id=subject_id, **details)
    )


@dataclass(frozen=True)
class AuditFilter:
    """What a staff member narrowed the audit page to (all of it when empty)."""

    actor: str | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None

    @classmethod
    def from_request(cls, request: Any) -> AuditFilter:
        q = request.query_params
        return cls(
            actor=(q.get("actor") or "").strip()[:200] or None,
            action=(q.get("action") or "").strip()[:60] or None,
            since=_date(q.get("since")),
            until=_date(q.get("until")),
        )

    def query_string(self) -> str:
        parts = [
            f"{k}={quote(str(v))}"
            for k, v in (
                ("actor", self.actor),
                ("action", self.action),
                ("since", self.since),
                ("until", self.until),
            )
            if v
        ]
        return "&".join(parts)


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


async def read_audit(
    session, table: Table, district: str, wanted: AuditFilter, limit: int = 500
) -> list[Any]:
    """A district's entries that match `wanted`, newest first."""
    query = select(table).where(table.c.district == district)
    if wanted.actor:
        query = query.where(table.c.actor == wanted.actor)
    if wanted.action:
        query = query.where(table.c.action == wanted.action)
    if wanted.since:
        query = query.where(table.c.at >= datetime.combine(wanted.since, time.min).astimezone())
    if wanted.until:
        query = query.where(
            table.c.at < datetime.combine(wanted.until + timedelta(days=1), time.min).astimezone()
        )
    return list((await session.execute(query.order_by(table.c.id.desc()).limit(limit))).all())


async def audit_actions(session, table: Table, district: str) -> list[str]:
    """The actions a district's entries have, for the page's filter."""
    found = await session.scalars(select(table.c.action).where(table.c.district == district).distinct())
    return sorted(found.all())
