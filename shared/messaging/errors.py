"""How a consumer tells the delivery machinery what went wrong."""

from __future__ import annotations

import asyncio

import asyncpg
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError


class InvalidMessage(Exception):
    """The message can never be processed as sent: dead-letter it with this reason, do not retry."""

    def __init__(self, reason: str, *, errors: list[dict[str, str]] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.errors = errors or [{"field": "body", "message": reason}]


_TRANSIENT = (
    OperationalError,
    InterfaceError,
    ConnectionError,
    TimeoutError,
    asyncio.TimeoutError,
    OSError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    asyncpg.InterfaceError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.AdminShutdownError,
    asyncpg.exceptions.SerializationError,
    asyncpg.exceptions.DeadlockDetectedError,
)


def is_transient(error: BaseException) -> bool:
    """Database or network trouble that goes away by itself: retry with back-off, never dead-letter."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, DBAPIError) and isinstance(error.orig, Exception):
        cause = getattr(error.orig, "__cause__", None) or error.orig
        if isinstance(cause, _TRANSIENT):
            return True
    return isinstance(error, _TRANSIENT)
