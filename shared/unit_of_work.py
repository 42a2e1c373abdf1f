"""One transaction of a route, a page or a job: `async with service.transaction() as uow: ...`.

The unit of work gives the session, the outbox, the clock and the source (the service's name). Events
staged with `uow.add(envelope)` (or `uow.outbox.add(uow.session, envelope)`, as commands do) are held and
written in one INSERT per outbox table just before the commit, as the consumers do; after the commit the
outbox relay is woken (when any was staged) so they leave now instead of at its next poll. On an error everything is rolled
back and the relay is not woken. So no route, page or job writes held events or wakes the relay itself,
and none imports the outbox's internals.

Reads that change nothing keep using `service.sessions()`: they need neither the outbox nor a wake, and a
plain session says so at the call site.

Consumers do not use this: their transaction (inbox, handlers, outbox, commit) is the shared consumer's
(shared/messaging/consumer.py), which already writes held rows and wakes the relay after its commit.

For routes whose whole body is one transaction, `Transaction` is a FastAPI dependency giving the unit of
work; it commits before the response is sent (an HTTPException rolls it back).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from shared.clock import utc_now
from shared.contracts import Envelope
from shared.messaging.outbox import Outbox, holding_rows, write_held
from shared.web.dependencies import current_service

if TYPE_CHECKING:
    from shared.service import Service


class UnitOfWork:
    def __init__(
        self, session: AsyncSession, outbox: Outbox, source: str, clock: Callable[[], datetime]
    ) -> None:
        self.session = session
        self.outbox = outbox
        self.source = source
        self.clock = clock

    def now(self) -> datetime:
        return self.clock()

    async def add(self, envelope: Envelope[Any], *, exchange: str | None = None) -> None:
        """Stage an event to be published once this transaction has committed."""
        await self.outbox.add(self.session, envelope, exchange=exchange)


@contextlib.asynccontextmanager
async def transaction(service: Service, clock: Callable[[], datetime] = utc_now) -> AsyncIterator[UnitOfWork]:
    held = _Held()
    async with service.sessions() as session, session.begin():
        with holding_rows(held):
            yield UnitOfWork(session, service.outbox, service.name, clock)
        await write_held(session, held)
    # Only reached when the commit succeeded: an error inside the block or in the commit skips this.
    if held.staged:
        service.relay.wake()


class _Held(list):
    """The rows `Outbox.add` holds back; remembers whether any was staged, as `write_held` (also called by
    `Outbox.forget` mid-transaction) empties it. A transaction that staged nothing wakes nothing."""

    staged = False

    def append(self, row: Any) -> None:
        self.staged = True
        super().append(row)


async def _request_transaction(request: Request) -> AsyncIterator[UnitOfWork]:
    async with current_service(request).transaction() as uow:
        yield uow


# scope="function": the transaction commits when the route returns, before the response is sent, so a
# failed commit is the client's 500 and a client that reads right after the answer sees the change.
Transaction = Annotated[UnitOfWork, Depends(_request_transaction, scope="function")]
