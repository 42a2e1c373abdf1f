"""Each service's database role reaches its own schema only, and cannot rewrite its audit trail; errors
from the services' engines carry no statement parameters. Against the real PostgreSQL, in a database
cloned from the migrated template (so the grants survive the clone)."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db import create_engine
from shared.db.migrate import migrate
from shared.db.roles import service_database_url
from shared.messaging.topology import SERVICES

pytestmark = pytest.mark.integration


async def _run(url: str, sql: str, params: dict | None = None):
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(text(sql), params or {})
            return result.all() if result.returns_rows else None
    finally:
        await engine.dispose()


def _denied(error: BaseException) -> bool:
    return "permission denied" in str(error)


@pytest.mark.parametrize("reader", ["calendar", "notifications", "grouping"])
async def test_another_services_role_is_refused_registrations_topics_and_contacts(database_url, reader):
    await _run(
        database_url,
        "INSERT INTO registration.audit_log (actor, action) VALUES ('test', 'probe')",
    )
    with pytest.raises(ProgrammingError) as refused:
        await _run(service_database_url(database_url, reader), "SELECT * FROM registration.registrations")
    assert _denied(refused.value)
    with pytest.raises(ProgrammingError) as refused:
        await _run(service_database_url(database_url, reader), "SELECT * FROM registration.audit_log")
    assert _denied(refused.value)


async def test_every_role_reads_and_writes_its_own_outbox_and_no_other_schema(database_url):
    for service in SERVICES:
        own = service_database_url(database_url, service)
        event_id = uuid.uuid4()
        await _run(
            own,
            f"INSERT INTO {service}.outbox (event_id, event_type, exchange, payload)"
            " VALUES (:id, 'probe.v1', 'x', '{}')",
            {"id": event_id},
        )
        assert await _run(
            own, f"SELECT event_id FROM {service}.outbox WHERE event_id = :id", {"id": event_id}
        )
        for other in SERVICES:
            if other != service:
                with pytest.raises(ProgrammingError) as refused:
                    await _run(own, f"SELECT 1 FROM {other}.outbox LIMIT 1")
                assert _denied(refused.value), (service, other)


async def test_only_the_owner_may_touch_the_migration_version(database_url):
    with pytest.raises(ProgrammingError) as refused:
        await _run(
            service_database_url(database_url, "registration"), "SELECT * FROM registration.alembic_version"
        )
    assert _denied(refused.value)


@pytest.mark.parametrize("service", ["registration", "grouping"])
async def test_a_service_appends_to_its_audit_log_but_cannot_change_or_remove_an_entry(database_url, service):
    own = service_database_url(database_url, service)
    await _run(own, f"INSERT INTO {service}.audit_log (actor, action) VALUES ('staff:1', 'probe')")
    assert await _run(own, f"SELECT action FROM {service}.audit_log") == [("probe",)]
    for change in (
        f"UPDATE {service}.audit_log SET action = 'rewritten'",
        f"DELETE FROM {service}.audit_log",
        f"TRUNCATE {service}.audit_log",
    ):
        with pytest.raises(ProgrammingError) as refused:
            await _run(own, change)
        assert _denied(refused.value), change
    assert await _run(database_url, f"SELECT action FROM {service}.audit_log") == [("probe",)]


async def test_migrating_again_keeps_the_roles_and_grants(database_url):
    await asyncio.to_thread(migrate, database_url)  # roles exist already: made again without error
    own = service_database_url(database_url, "calendar")
    assert await _run(own, "SELECT count(*) FROM calendar.outbox") == [(0,)]
    with pytest.raises(ProgrammingError):
        await _run(own, "SELECT 1 FROM registration.registrations")


async def test_a_failed_statement_names_no_parameter_values(database_url):
    engine = create_engine(database_url, pool_size=1)
    personal = "kari.nordmann@example.no"
    try:
        with pytest.raises(DBAPIError) as failed:
            async with engine.begin() as connection:
                # action is NOT NULL: the statement fails with the e-mail address among its parameters.
                await connection.execute(
                    text("INSERT INTO registration.audit_log (actor, action) VALUES (:actor, NULL)"),
                    {"actor": personal},
                )
    finally:
        await engine.dispose()
    assert personal not in str(failed.value)
    assert "hidden" in str(failed.value)
