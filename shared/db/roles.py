"""One database role per service, with rights on its own schema only (ASVS 1.4.3, 4.1.3).

Why: the services used to log in as the database owner, so a flaw in calendar or notifications could read
registration's topics and contacts. `selvhjelp migrate` (run as the owner) now also makes sure role
`selvhjelp_<service>` exists and holds exactly:

- USAGE on its own schema, and SELECT/INSERT/UPDATE/DELETE on its tables and sequences (also the ones
  later migrations add: default privileges), nothing on any other service's schema;
- nothing on its schema's `alembic_version`: only the owner migrates;
- INSERT and SELECT only on its audit tables, so the service cannot rewrite or remove its own audit trail
  (registration's table has an append-only trigger besides; erasure never touches audit rows, which hold
  pseudonymous ids only).

Roles are cluster-wide and made idempotently (several test sessions may race to make them); grants live
in each database, so a database cloned from a migrated template carries them.

A role is made with LOGIN and no password (enough where local connections are trusted, as in `make run`
and the tests). Where passwords are needed, give `DATABASE_PASSWORD_<SERVICE>` (e.g.
`DATABASE_PASSWORD_REGISTRATION`) to the migration, or make the roles beforehand (CloudNativePG's managed
roles, deploy/k8s/base/postgres.yaml): an existing role is granted to, not re-made.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from shared.audit import AUDIT_TABLE

# Tables a service may only append to and read.
AUDIT_TABLES: dict[str, tuple[str, ...]] = {
    "registration": (AUDIT_TABLE,),
    "grouping": (AUDIT_TABLE,),
    "calendar": (AUDIT_TABLE,),
}
TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"


def service_role(service: str) -> str:
    return f"selvhjelp_{service}"


def service_database_url(owner_url: str, service: str, password: str | None = None) -> str:
    """The owner's URL with the service's role as the user (same server, database and options)."""
    url = make_url(owner_url).set(username=service_role(service), password=password)
    return url.render_as_string(hide_password=False)


def _literal(value: str) -> str:
    # Role statements take no bind parameters; with standard_conforming_strings (the default since
    # PostgreSQL 9.1) doubling the quote is the whole of quoting a literal.
    return "'" + value.replace("'", "''") + "'"


async def ensure_role(connection: AsyncConnection, service: str, password: str | None = None) -> None:
    role = service_role(service)
    # Two sessions making the same role at once: the loser gets duplicate_object or unique_violation.
    await connection.execute(
        text(
            "DO $$ BEGIN "
            f'IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = {_literal(role)}) THEN CREATE ROLE "{role}" LOGIN; END IF; '
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
    )
    if password:
        await connection.execute(text(f'ALTER ROLE "{role}" WITH LOGIN PASSWORD {_literal(password)}'))


async def grant_schema(connection: AsyncConnection, service: str) -> None:
    role, schema = service_role(service), service
    statements = [
        f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
        f'GRANT {TABLE_RIGHTS} ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT {TABLE_RIGHTS} ON TABLES TO "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" GRANT USAGE, SELECT ON SEQUENCES TO "{role}"',
        f'REVOKE ALL ON "{schema}".alembic_version FROM "{role}"',
    ]
    for table in AUDIT_TABLES.get(service, ()):
        # Absent when migrated to a revision before the one that makes it.
        if await connection.scalar(text("SELECT to_regclass(:name)"), {"name": f"{schema}.{table}"}):
            statements.append(f'REVOKE UPDATE, DELETE, TRUNCATE ON "{schema}"."{table}" FROM "{role}"')
    for statement in statements:
        await connection.execute(text(statement))


def password_from_env(service: str) -> str | None:
    return os.environ.get(f"DATABASE_PASSWORD_{service.upper()}") or None


async def apply_service_roles(database_url: str, services: Iterable[str]) -> None:
    """Make each service's role and grant it its schema; run as the owner, after the migrations."""
    engine = create_async_engine(database_url, hide_parameters=True)
    try:
        for service in services:
            async with engine.begin() as connection:
                await ensure_role(connection, service, password_from_env(service))
            async with engine.begin() as connection:
                await grant_schema(connection, service)
    finally:
        await engine.dispose()
