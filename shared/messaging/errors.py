"""How a consumer tells the delivery machinery what went wrong."""

from __future__ import annotations

import asyncio

import asyncpg
import asyncpg.exceptions._base
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


# Both of asyncpg's "DataError"s: invalid query input (an InterfaceError) and SQLSTATE class 22.
_BAD_VALUE = (asyncpg.exceptions._base.DataError, asyncpg.exceptions.DataError)


def is_transient(error: BaseException) -> bool:
    """Database or network trouble that goes away by itself: retry with back-off, never dead-letter."""
    cause = getattr(error, "orig", None)
    cause = getattr(cause, "__cause__", None) or cause
    if isinstance(error, _BAD_VALUE) or isinstance(cause, _BAD_VALUE):
        return False  # a value the database can't take (asyncpg files one kind under InterfaceError)
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, DBAPIError) and isinstance(error.orig, Exception):
        cause = getattr(error.orig, "__cause__", None) or error.orig
        if isinstance(cause, _TRANSIENT):
            return True
    return isinstance(error, _TRANSIENT)
