"""Fixtures of the deployment tests: the generated RabbitMQ definitions loaded into the local broker under a
unique vhost and unique user names, removed again after the test."""

from __future__ import annotations

import secrets
import urllib.parse
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from shared.messaging.definitions import build_definitions, users_with_partners

# Two partner systems beside the services' users (prefixed like them, so they are unique on the broker).
PARTNERS = ("kommune-a", "kommune-b")


@dataclass(frozen=True)
class LoadedDefinitions:
    vhost: str
    user_prefix: str
    passwords: dict[str, str]
    definitions: dict
    amqp_base: urllib.parse.SplitResult
    management: httpx.AsyncClient
    admin_user: str  # the broker's admin that loads the file; RabbitMQ grants it the vhost it creates
    partners: tuple[str, ...] = PARTNERS

    def url_of(self, user: str) -> str:
        """AMQP URL of one of the definitions' users (by its unprefixed name) in the test vhost."""
        netloc = (
            f"{self.user_prefix}{user}:{self.passwords[user]}@{self.amqp_base.hostname}:{self.amqp_base.port}"
        )
        return urllib.parse.urlunsplit(("amqp", netloc, f"/{self.vhost}", "", ""))


@pytest.fixture
async def loaded_definitions(servers) -> AsyncIterator[LoadedDefinitions]:
    tag = uuid.uuid4().hex[:10]
    vhost, prefix = f"t_defs_{tag}", f"t_{tag}_"
    passwords = {user: secrets.token_urlsafe(16) for user in users_with_partners(PARTNERS)}
    definitions = build_definitions(vhost=vhost, user_prefix=prefix, passwords=passwords, partners=PARTNERS)
    async with httpx.AsyncClient(
        base_url=servers.management_url, auth=servers.management_auth, timeout=60
    ) as api:
        try:
            (await api.post("/api/definitions", json=definitions)).raise_for_status()
            yield LoadedDefinitions(
                vhost,
                prefix,
                passwords,
                definitions,
                urllib.parse.urlsplit(servers.rabbitmq_url),
                api,
                servers.management_auth[0],
            )
        finally:
            await api.delete(f"/api/vhosts/{vhost}")
            for user in passwords:
                await api.delete(f"/api/users/{prefix}{user}")
