"""`selvhjelp migrate`: run every service's Alembic migrations, each in its own schema."""

from __future__ import annotations

import asyncio
import sys

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from shared.db.roles import apply_service_roles
from shared.messaging.topology import SERVICES


def alembic_config(service: str, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", f"services.{service}:migrations")
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def ensure_database(database_url: str) -> None:
    """Create the target database when missing (local runs); a managed cluster already has it."""
    url = make_url(database_url)
    admin = create_async_engine(
        url.set(database="postgres"), isolation_level="AUTOCOMMIT", hide_parameters=True
    )
    try:
        async with admin.connect() as connection:
            exists = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
            )
            if not exists:
                await connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    finally:
        await admin.dispose()


def migrate(database_url: str, services: tuple[str, ...] = SERVICES, revision: str = "head") -> None:
    """Must be called outside a running event loop (Alembic's env runs its own); use a thread from async code."""
    asyncio.run(ensure_database(database_url))
    for service in services:
        print(f"migrating {service} to {revision}", file=sys.stderr)
        command.upgrade(alembic_config(service, database_url), revision)
    # After the migrations, so the grants cover every table they made (shared/db/roles.py).
    asyncio.run(apply_service_roles(database_url, services))
