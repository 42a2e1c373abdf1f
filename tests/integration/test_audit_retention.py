"""`selvhjelp audit prune` deletes audit entries older than the retention period in every service that
keeps an audit log, as the database owner, and keeps the recent ones; the services' roles still cannot
delete a single entry. Against the real PostgreSQL with an explicit `now`, never today's date."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, ProgrammingError
from sqlalchemy.ext.asyncio import create_async_engine

from shared.audit.retention import prune_audit
from shared.cli import main
from shared.db.roles import AUDIT_TABLES, service_database_url
from shared.settings import Settings

pytestmark = pytest.mark.integration

NOW = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)
DAYS = Settings().audit_retention_days
AUDITED = tuple(AUDIT_TABLES)  # registration, grouping and calendar


async def _run(url: str, *statements: str, params: dict | None = None):
    """The statements in one transaction; the last one's rows."""
    engine = create_async_engine(url)
    try:
        async with engine.begin() as connection:
            for sql in statements:
                result = await connection.execute(text(sql), params or {})
            return result.all() if result.returns_rows else None
    finally:
        await engine.dispose()


async def _entry(url: str, service: str, action: str, at: datetime) -> None:
    await _run(
        url,
        f"INSERT INTO {service}.audit_log (actor, action, at) VALUES ('staff:1', :action, :at)",
        params={"action": action, "at": at},
    )


async def _actions(url: str, service: str) -> list[str]:
    return [row[0] for row in await _run(url, f"SELECT action FROM {service}.audit_log ORDER BY id")]


async def _seed(database_url: str) -> None:
    cutoff = NOW - timedelta(days=DAYS)
    for service in AUDITED:
        await _entry(database_url, service, "ancient", cutoff - timedelta(days=400))
        await _entry(database_url, service, "just-expired", cutoff - timedelta(seconds=1))
        await _entry(database_url, service, "just-kept", cutoff + timedelta(seconds=1))
        await _entry(database_url, service, "recent", NOW - timedelta(days=1))


def test_the_default_period_is_five_years():
    assert DAYS == 1826


async def test_entries_older_than_the_period_are_deleted_and_recent_ones_kept_in_every_schema(database_url):
    await _seed(database_url)
    removed = await prune_audit(database_url, NOW, DAYS, batch=1)  # batch 1: the loop runs to the end
    assert removed == dict.fromkeys(AUDITED, 2)
    for service in AUDITED:
        assert await _actions(database_url, service) == ["just-kept", "recent"], service
    # Nothing left to prune: a second run deletes nothing.
    assert await prune_audit(database_url, NOW, DAYS) == dict.fromkeys(AUDITED, 0)
    assert removed == {"registration": 2, "grouping": 2, "calendar": 2}
    for service in AUDITED:
        assert await _actions(database_url, service) == ["just-kept", "recent"], service
    # Nothing left to prune: a second run deletes nothing.
    assert await prune_audit(database_url, NOW, DAYS) == {"registration": 0, "grouping": 0, "calendar": 0}


async def test_a_dry_run_counts_and_deletes_nothing(database_url):
    await _seed(database_url)
    assert await prune_audit(database_url, NOW, DAYS, dry_run=True) == dict.fromkeys(AUDITED, 2)
    for service in AUDITED:
        assert len(await _actions(database_url, service)) == 4


async def test_the_command_prunes_as_the_owner_and_prints_the_count_per_service(database_url, capsys):
    await _seed(database_url)
    args = ["audit", "prune", "--database-url", database_url, "--now", NOW.isoformat()]
    # In a thread: the command runs its own event loop, like `selvhjelp migrate`.
    assert await asyncio.to_thread(main, [*args, "--dry-run"]) == 0
    assert "registration: would delete 2 audit entries" in capsys.readouterr().out
    assert await asyncio.to_thread(main, args) == 0
    printed = capsys.readouterr().out.splitlines()
    assert [line.split(" audit")[0] for line in printed] == [f"{s}: deleted 2" for s in AUDITED]
    for service in AUDITED:
        assert await _actions(database_url, service) == ["just-kept", "recent"], service


@pytest.mark.parametrize("service", AUDITED)
async def test_the_services_role_still_cannot_prune_its_own_audit_log(database_url, service):
    await _seed(database_url)
    with pytest.raises(ProgrammingError) as refused:
        await prune_audit(service_database_url(database_url, service), NOW, DAYS, services=[service])
    assert "permission denied for table audit_log" in str(refused.value)
    assert len(await _actions(database_url, service)) == 4


async def test_outside_a_prune_even_the_owner_cannot_delete_a_registration_audit_entry(database_url):
    await _seed(database_url)
    with pytest.raises(DBAPIError) as refused:
        await _run(database_url, "DELETE FROM registration.audit_log")
    assert "append-only" in str(refused.value)
    # Saying it prunes lets a DELETE through, never an UPDATE.
    with pytest.raises(DBAPIError) as refused:
        await _run(
            database_url,
            "SELECT set_config('selvhjelp.audit_prune', 'on', true)",
            "UPDATE registration.audit_log SET action = 'rewritten'",
        )
    assert "append-only" in str(refused.value)
    assert len(await _actions(database_url, "registration")) == 4
