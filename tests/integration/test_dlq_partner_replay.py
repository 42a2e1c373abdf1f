"""The operator replays a partner's dead-lettered registration (real broker, issue 20): the copy keeps the
partner's broker-validated `user_id`, so the registration is that sender's, with its reference unique
among that sender's; a replayer the broker does not let publish as the partner is refused, and the message
stays in the DLQ with the reason."""

from __future__ import annotations

import secrets
import urllib.parse

import httpx
import pytest
from sqlalchemy import select

from services.registration.app import create_app
from services.registration.models import metadata as registration_metadata
from services.registration.models import registrations
from shared.messaging.dlq_cli import dead_letter_counts, forget, replay
from shared.partners import Partner
from shared.service import Service
from tests.support import eventually, running
from tests.support.factories import submitted_envelope
from tests.support.partners import create_partner_users, delete_partner_users, unique_partner_names

pytestmark = pytest.mark.integration
DLQ = "registration.intake.dlq"


@pytest.fixture
async def partner(servers, settings):
    names = unique_partner_names(1)
    [user] = await create_partner_users(servers, settings.rabbitmq_url, names)
    try:
        yield user
    finally:
        await delete_partner_users(servers, names)


@pytest.fixture
async def impersonator_url(servers, settings):
    """An operator's broker user the broker lets publish in another user's name (tag `impersonator`)."""
    name = f"drift-{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    base = urllib.parse.urlsplit(settings.rabbitmq_url)
    vhost = base.path.lstrip("/")
    async with httpx.AsyncClient(
        base_url=servers.management_url, auth=servers.management_auth, timeout=30
    ) as api:
        (
            await api.put(f"/api/users/{name}", json={"password": password, "tags": "impersonator"})
        ).raise_for_status()
        everything = {"configure": ".*", "write": ".*", "read": ".*"}
        (await api.put(f"/api/permissions/{vhost}/{name}", json=everything)).raise_for_status()
        try:
            netloc = f"{name}:{password}@{base.hostname}:{base.port}"
            yield urllib.parse.urlunsplit(("amqp", netloc, base.path, "", ""))
        finally:
            await api.delete(f"/api/users/{name}")


async def _dead(url: str, expected: int) -> bool:
    return (await dead_letter_counts(url))[DLQ] == expected


async def _dead_letter_a_partners_registration(settings, partner, reference: str) -> None:
    """A release whose intake handler fails: the partner's message ends in the DLQ (delivery limit)."""
    buggy = Service("registration", registration_metadata, settings)

    async def bug(session, envelope):
        raise RuntimeError("a bug in this release")

    buggy.consume("registration.intake", {"registration.submitted.v1": bug})
    async with running(buggy):
        await partner.publish(submitted_envelope(external_ref=reference))
        await eventually(lambda: _dead(settings.rabbitmq_url, 1), timeout=30)


async def test_a_replayed_partner_registration_keeps_its_sender(settings, partner, impersonator_url):
    await _dead_letter_a_partners_registration(settings, partner, "sak-77")
    # Erasure of someone else reads the DLQ through and leaves the partner's message as it was.
    assert await forget(settings.rabbitmq_url, "someone-else") == 0

    # The test's own broker user (an administrator, not an impersonator) cannot publish as the partner:
    # the message stays, with a reason naming the sender and what would do it.
    refused = await replay(settings.rabbitmq_url, DLQ, 10)
    assert refused.count == 0 and len(refused.kept) == 1
    assert partner.name in refused.kept[0] and "impersonator" in refused.kept[0]
    assert await _dead(settings.rabbitmq_url, 1)

    fixed = create_app(settings.model_copy(update={"partners": [Partner(name=partner.name)]}))
    async with running(fixed.state.service) as service:
        replayed = await replay(impersonator_url, DLQ, 10)
        assert (replayed.count, replayed.kept) == (1, [])

        async def stored():
            async with service.sessions() as session:
                return (
                    await session.execute(
                        select(registrations.c.sender, registrations.c.source).where(
                            registrations.c.external_ref == "sak-77"
                        )
                    )
                ).all()

        rows = await eventually(stored, timeout=20)
        # The sender the broker vouched for when the partner published, not the replayer.
        assert [tuple(r) for r in rows] == [(partner.name, rows[0].source)]

        answers: list[dict] = []

        async def answered() -> bool:
            answers.extend(await partner.take())
            return bool(answers)

        await eventually(answered, timeout=20)  # its acceptance on its own queue
        assert answers[0]["event_type"] == "registration.received.v1"
        assert answers[0]["data"]["external_ref"] == "sak-77"
    assert await _dead(settings.rabbitmq_url, 0)
