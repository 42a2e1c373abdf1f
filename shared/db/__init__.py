"""Async SQLAlchemy engine and sessions; each service owns one PostgreSQL schema."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def service_metadata(schema: str) -> MetaData:
    return MetaData(schema=schema, naming_convention=NAMING)


def create_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    # No pre-ping (a round trip per transaction): a connection broken by a database restart raises a
    # DBAPIError with connection_invalidated, which consumers treat as transient and retry on a new one.
    # hide_parameters: a failed statement's error (and so a logged traceback) names the statement but
    # not its values, which are often personal data (ASVS 7.1.1).
    return create_async_engine(
        url, pool_size=pool_size, max_overflow=10, pool_recycle=1800, hide_parameters=True
    )


def session_factory(engine: AsyncEngine):
    """Transactions for Core statements: `async with sessions() as session, session.begin(): ...`.

    Plain connections, not ORM sessions: no service uses the ORM, and a session's bookkeeping costs more
    CPU per message than the statements themselves.
    """
    return engine.connect
