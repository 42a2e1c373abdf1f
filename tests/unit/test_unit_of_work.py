"""`service.transaction()`: events staged in it are written at commit and the relay is woken after a
commit that staged any; an error rolls everything back and wakes nothing. Checked without a database."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, HTTPException
from sqlalchemy import MetaData

from shared.contracts import Envelope
from shared.messaging import Outbox, outbox_table
from shared.unit_of_work import Transaction, UnitOfWork, transaction

pytestmark = pytest.mark.unit


class FakeSession:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    async def execute(self, statement, rows=None):
        self.log.append(f"insert {len(rows) if isinstance(rows, list) else 1}")

    @contextlib.asynccontextmanager
    async def begin(self):
        try:
            yield
        except BaseException:
            self.log.append("rollback")
            raise
        self.log.append("commit")


class FakeRelay:
    def __init__(self, log: list[str]) -> None:
        self.log = log

    def wake(self) -> None:
        self.log.append("wake")


class FakeService:
    name = "test"

    def __init__(self) -> None:
        self.log: list[str] = []
        self.outbox = Outbox(outbox_table(MetaData()), "selvhjelp.test")
        self.relay = FakeRelay(self.log)

    @contextlib.asynccontextmanager
    async def sessions(self):
        yield FakeSession(self.log)

    def transaction(self):
        return transaction(self)


def event() -> Envelope:
    return Envelope[Any](event_type="test.happened.v1", source="test", data={"id": str(uuid.uuid4())})


async def test_staged_events_are_written_in_one_insert_then_committed_then_the_relay_woken() -> None:
    service = FakeService()
    async with service.transaction() as uow:
        await uow.add(event())
        await uow.outbox.add(uow.session, event())
        assert service.log == []  # held until the commit
    assert service.log == ["insert 2", "commit", "wake"]


async def test_an_error_rolls_back_and_wakes_nothing() -> None:
    service = FakeService()
    with pytest.raises(RuntimeError):
        async with service.transaction() as uow:
            await uow.add(event())
            raise RuntimeError("refused")
    assert service.log == ["rollback"]


async def test_a_transaction_that_staged_nothing_wakes_nothing() -> None:
    service = FakeService()
    async with service.transaction() as uow:
        assert uow.source == "test"
    assert service.log == ["commit"]


async def test_the_route_dependency_commits_before_answering_and_rolls_back_on_http_errors() -> None:
    service = FakeService()
    app = FastAPI()
    app.state.service = service

    @app.post("/ok")
    async def ok(uow: Transaction) -> dict:
        assert isinstance(uow, UnitOfWork)
        await uow.add(event())
        return {}

    @app.post("/refused")
    async def refused(uow: Transaction) -> dict:
        await uow.add(event())
        raise HTTPException(409, "no")

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.post("/ok")).status_code == 200
        assert service.log == ["insert 1", "commit", "wake"]
        service.log.clear()
        assert (await client.post("/refused")).status_code == 409
        assert service.log == ["rollback"]
