"""The audit trail a service keeps of what its staff read and change: one table per service, appended to
and never rewritten, read back per district (staff see only their own district's entries).

Registration, grouping and calendar each keep one. Every entry says who (`actor`), in which `role` and with
which `scope` they acted (district, municipalities, the country; none for the system itself), what
(`action`), when (`at`), to whom (`subject_id`: a person or a group, pseudonymous) and in which district;
the rest of an entry is the service's own (registration: which `fields` were read and the `reason` given; grouping: a `detail`).
The service's database role may only INSERT and SELECT here (shared/db/roles.py, AUDIT_TABLE).

The staff page and CSV export of the trail are in shared.audit.pages; entries older than
`audit_retention_days` are deleted by the owner's `selvhjelp audit prune` (shared.audit.retention).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table, Uuid, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

AUDIT_TABLE = "audit_log"
# Columns every entry has; those after them are the service's own details.
COMMON_COLUMNS = ("id", "at", "actor", "role", "scope", "district", "action", "subject_id")


@dataclass(frozen=True)
class Acting:
    """The role a signed-in person is using for this request and the scope it gives them."""

    role: str
    scope: str


# Set by the route's role check (shared.web_auth) for the request it guards, so that every entry written
# while serving it (by whichever use case, however deep) says in which role and scope its actor acted,
# without every command having to carry them. Jobs and consumers run outside a request: none, the system.
_acting: ContextVar[Acting | None] = ContextVar("audit_acting", default=None)


def scope_of(user: Any, role: str) -> str:
    """What `role` lets `user` see: a contact point its municipalities, the national coordinator and the
    operator the whole country, everyone else their district."""
    if role == "contact_point":
        return "municipalities:" + ",".join(sorted(user.municipalities))
    if role in ("national", "operator"):
        return "national"
    return f"district:{user.district}"


def acting_as(user: Any, role: str) -> Acting:
    """Remember for the rest of this request (its context) that `user` acts in `role`."""
    acting = Acting(role=role, scope=scope_of(user, role)[:500])
    _acting.set(acting)
    return acting


def current_acting() -> Acting | None:
    return _acting.get()


@contextmanager
def request_acting() -> Iterator[None]:
    """One HTTP request's own `acting_as`: nobody at its start, forgotten at its end. A server runs each
    request in a task of its own, but an in-process test client runs them one after the other in the
    test's task, where a role set by one request would otherwise outlive it."""
    token = _acting.set(None)
    try:
        yield
    finally:
        _acting.reset(token)


def audit_table(metadata: MetaData, *detail_columns: Column) -> Table:
    """The service's audit table in its schema: the common columns, then `detail_columns` (nullable
    strings). Exactly the table the services' migrations made: changing it here needs a migration."""
    return Table(
        AUDIT_TABLE,
        metadata,
        Column("id", BigInteger, primary_key=True, autoincrement=True),
        Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("actor", String(200), nullable=False),
        Column("role", String(40)),
        Column("scope", String(500)),
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
    role: str | None = None,
    scope: str | None = None,
    **details: str | None,
) -> None:
    """Append an entry, in the caller's transaction (it stands or falls with what it records). With the
    district, so it shows on that district's audit page; `details` name the service's own columns.
    `role` and `scope` default to those of the request's signed-in user (`acting_as`)."""
    acting = current_acting()
    if role is None and acting is not None:
        role, scope = acting.role, scope if scope is not None else acting.scope
    await session.execute(
        insert(table).values(
            actor=actor,
            role=role,
            scope=scope,
            action=action,
            district=district,
            subject_id=subject_id,
            **details,
        )
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
