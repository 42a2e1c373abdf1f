"""Partner systems over AMQP against the real broker (issue 20): each publishes with its own broker user,
named by the broker-validated `user_id`; gets its acceptances and rejections on its own queue and can read
or publish nothing else; its references are its own, so two partners with one reference make two
registrations and a resend by one makes none."""

from __future__ import annotations

import uuid

import aio_pika
import pytest
from aiormq.exceptions import ChannelAccessRefused, ChannelPreconditionFailed
from sqlalchemy import func, select

from services.registration.app import create_app
from services.registration.models import registrations
from shared.messaging.topology import exchange_of
from shared.partners import Partner
from tests.support import eventually, running
from tests.support.factories import submitted_envelope
from tests.support.partners import create_partner_users, delete_partner_users, unique_partner_names

pytestmark = pytest.mark.integration


@pytest.fixture
async def partners(servers, settings):
    names = unique_partner_names(2)
    users = await create_partner_users(servers, settings.rabbitmq_url, names)
    try:
        yield users
    finally:
        await delete_partner_users(servers, names)


@pytest.fixture
async def service(settings, partners):
    app = create_app(settings.model_copy(update={"partners": [Partner(name=p.name) for p in partners]}))
    async with running(app.state.service) as started:
        yield started


async def scalar(service, query):
    async with service.sessions() as session:
        return await session.scalar(query)


async def answers(partner, expected: int) -> list[dict]:
    taken: list[dict] = []

    async def enough() -> bool:
        taken.extend(await partner.take())
        return len(taken) >= expected

    await eventually(enough, timeout=20)
    return taken


async def test_a_partner_gets_its_acceptance_and_its_rejection_on_its_own_queue(service, partners):
    kommune_a, kommune_b = partners
    good = submitted_envelope(external_ref="sak-1")
    bad = submitted_envelope(external_ref="sak-2", municipality="0000")

    await kommune_a.publish(good)
    await kommune_a.publish(bad)

    taken = await answers(kommune_a, 2)
    by_type = {envelope["event_type"]: envelope for envelope in taken}
    received, rejected = by_type["registration.received.v1"], by_type["registration.rejected.v1"]
    assert received["data"]["external_ref"] == "sak-1"
    assert received["data"]["submitted_event_id"] == good["event_id"]
    stored = await scalar(
        service, select(registrations.c.participant_id).where(registrations.c.sender == kommune_a.name)
    )
    assert received["data"]["registration_id"] == str(stored)
    # Nothing about the person in the acceptance: the reference and our id.
    assert set(received["data"]) == {"registration_id", "external_ref", "submitted_event_id"}
    assert rejected["data"]["external_ref"] == "sak-2"
    assert rejected["data"]["submitted_event_id"] == bad["event_id"]
    assert [e["field"] for e in rejected["data"]["errors"]] == ["municipality"]
    assert await kommune_b.take() == []


async def test_two_partners_with_one_reference_make_two_registrations_and_a_resend_makes_none(
    service, partners
):
    kommune_a, kommune_b = partners
    await kommune_a.publish(submitted_envelope(external_ref="2026-0042"))
    await kommune_b.publish(submitted_envelope(external_ref="2026-0042"))
    [first_a] = await answers(kommune_a, 1)
    [first_b] = await answers(kommune_b, 1)

    # A resend: a new message (a new event id) with the same reference, and the same message again.
    resend = submitted_envelope(external_ref="2026-0042")
    await kommune_a.publish(resend)
    await kommune_a.publish(resend)
    [again] = await answers(kommune_a, 1)

    senders = await scalar(
        service,
        select(func.array_agg(registrations.c.sender)).where(registrations.c.external_ref == "2026-0042"),
    )
    assert sorted(senders) == sorted([kommune_a.name, kommune_b.name])
    assert first_a["data"]["registration_id"] != first_b["data"]["registration_id"]
    assert again["data"]["registration_id"] == first_a["data"]["registration_id"]
    assert await kommune_a.take() == []  # the same message again is a duplicate: no second answer


async def test_the_intake_refuses_a_message_without_user_id(service, partners, management):
    kommune_a, _ = partners
    await kommune_a.publish(submitted_envelope(external_ref="uten-avsender"), user_id=None)

    dead = await eventually(lambda: management.get_messages("registration.intake.dlq"))
    assert "user_id" in dead[0]["properties"]["headers"]["x-rejection-reason"]
    assert await scalar(service, select(func.count()).select_from(registrations)) == 0
    assert await kommune_a.take() == []  # no sender we can trust, so no answer on any partner's queue


async def test_a_partner_cannot_publish_as_another_partner(service, partners):
    kommune_a, kommune_b = partners
    with pytest.raises(ChannelPreconditionFailed):  # the broker closes the channel
        await kommune_a.publish(submitted_envelope(external_ref="forfalsket"), user_id=kommune_b.name)
    assert await scalar(service, select(func.count()).select_from(registrations)) == 0


async def test_a_partner_cannot_read_another_queue_nor_publish_elsewhere_nor_declare(service, partners):
    kommune_a, kommune_b = partners
    for queue in (kommune_b.queue, "registration.intake", "notifications.people"):
        with pytest.raises(ChannelAccessRefused):
            await kommune_a.take(queue)
    with pytest.raises(ChannelAccessRefused):
        await kommune_a.publish(submitted_envelope(), exchange=exchange_of("registration"))
    connection = await aio_pika.connect(kommune_a.amqp_url, timeout=15)
    async with connection:
        channel = await connection.channel()
        with pytest.raises(ChannelAccessRefused):
            await channel.declare_queue(f"{kommune_a.name}.mine-{uuid.uuid4().hex[:6]}", durable=True)
