"""Fixtures of the registration service's integration tests: the app, started for real against the test's
own PostgreSQL database and RabbitMQ vhost, and an HTTP client talking to it in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from services.registration.app import create_app
from tests.support import running


@pytest.fixture
async def registration_app(settings):
    app = create_app(settings)
    async with running(app.state.service):
        yield app


@pytest.fixture
async def client(registration_app) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=registration_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://registration.test") as http:
        yield http
