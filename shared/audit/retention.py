"""`selvhjelp audit prune`: delete audit entries older than `audit_retention_days`, in every service
that keeps an audit log, with the database owner's rights.

Why apart from the services' retention jobs (shared/retention.py): a service's role may only INSERT and
SELECT on its audit log (shared/db/roles.py), so that a flaw in the service cannot remove its own trail.
Pruning therefore runs as the owner, like `selvhjelp migrate`: a daily CronJob
(deploy/k8s/base/audit-prune-cronjob.yaml) with the owner's Secret. It deletes in batches, each its own
short transaction, so staff actions that append entries meanwhile never wait long.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import BigInteger, Column, DateTime, MetaData, Table, delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from shared.db.roles import AUDIT_TABLES

BATCH = 1000


def _table(schema: str, name: str) -> Table:
    # Only the columns pruning needs; the full table is shared.audit.audit_table.
    return Table(
        name,
        MetaData(schema=schema),
        Column("id", BigInteger, primary_key=True),
        Column("at", DateTime(timezone=True)),
    )


async def _prune_table(engine: AsyncEngine, table: Table, cutoff: datetime, dry_run: bool, batch: int) -> int:
    expired = table.c.at < cutoff
    if dry_run:
        async with engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(table).where(expired)) or 0)
    total = 0
    while True:
        async with engine.begin() as connection:
            # Registration's append-only trigger lets a DELETE through only in such a transaction
            # (its migration 0005); SET LOCAL ends with the transaction.
            await connection.execute(text("SELECT set_config('selvhjelp.audit_prune', 'on', true)"))
            doomed = select(table.c.id).where(expired).order_by(table.c.id).limit(batch)
            count = (await connection.execute(delete(table).where(table.c.id.in_(doomed)))).rowcount or 0
        total += count
        if count < batch:
            return total


async def prune_audit(
    database_url: str,
    now: datetime,
    retention_days: int,
    *,
    dry_run: bool = False,
    batch: int = BATCH,
    services: Iterable[str] = tuple(AUDIT_TABLES),
) -> dict[str, int]:
    """Per service, how many audit entries from before `now - retention_days` were deleted (or, with
    `dry_run`, would be). `database_url` must be the owner's: the services' roles may not delete."""
    if now.tzinfo is None:
        raise ValueError("`now` needs a timezone (audit entries are stored with one)")
    cutoff = now - timedelta(days=retention_days)
    engine = create_async_engine(database_url, hide_parameters=True)
    removed: dict[str, int] = {}
    try:
        for service in services:
            for name in AUDIT_TABLES[service]:
                count = await _prune_table(engine, _table(service, name), cutoff, dry_run, batch)
                removed[service] = removed.get(service, 0) + count
    finally:
        await engine.dispose()
    return removed


def _aware_datetime(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not an ISO datetime: {value!r}") from error
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{value!r} has no timezone; add one, e.g. {value}+00:00")
    return moment


def _prune(args: argparse.Namespace) -> int:
    from shared.settings import get_settings

    settings = get_settings()
    now = args.now or datetime.now(UTC)
    days = settings.audit_retention_days
    removed = asyncio.run(
        prune_audit(args.database_url or settings.database_url, now, days, dry_run=args.dry_run)
    )
    verb = "would delete" if args.dry_run else "deleted"
    cutoff = (now - timedelta(days=days)).isoformat()
    for service, count in removed.items():
        print(f"{service}: {verb} {count} audit entries from before {cutoff}")
    return 0


def build_parser(commands: argparse._SubParsersAction) -> None:
    audit = commands.add_parser("audit", help="the services' audit logs")
    sub = audit.add_subparsers(dest="action", required=True)
    prune = sub.add_parser(
        "prune",
        help="delete audit entries older than AUDIT_RETENTION_DAYS (run as the database owner)",
    )
    prune.add_argument("--database-url", help="the owner's URL (default: DATABASE_URL)")
    prune.add_argument(
        "--now", type=_aware_datetime, help="count the period back from here (ISO, with timezone)"
    )
    prune.add_argument("--dry-run", action="store_true", help="only count what would be deleted")
    prune.set_defaults(func=_prune)
