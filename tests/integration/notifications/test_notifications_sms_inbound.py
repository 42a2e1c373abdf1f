"""The SMS webhook answers only the gateway (an HMAC signature over a fresh timestamp and the body), and
answers every caller it does answer the same way: whether a number belongs to a participant is a
special category fact (art. 9), so only the effect differs, never the response."""

from __future__ import annotations

import httpx
import pytest
from notifications_support import GroupOfFour, count, register, sms_reply

from services.notifications import models
from services.notifications.app import create_service, http_app
from tests.support import eventually, running

pytestmark = pytest.mark.integration

BO = "912 34 567"  # register(mobile_for="Bo Dahl") gives Bo +4791234567


async def _started(notifications, events, group) -> None:
    await register(events, group, mobile_for="Bo Dahl")
    await events.publish("grouping", group.formed())
    await events.publish("calendar", group.scheduled())
    await events.publish("grouping", group.started())

    async def queued() -> bool:
        return bool(await count(notifications, models.groups, models.groups.c.start_queued_at.is_not(None)))

    await eventually(queued)


async def test_a_reply_not_signed_by_the_gateway_or_too_old_is_refused_and_changes_nothing(
    notifications, events, client, clock
):
    group = GroupOfFour()
    async with running(notifications):
        await _started(notifications, events, group)

        unsigned = await client.post("/api/v1/sms/inbound", json={"from": BO, "text": "KAN IKKE"})
        forged = await sms_reply(client, clock, BO, "KAN IKKE", secret="a guess")
        replayed = await sms_reply(client, clock, BO, "KAN IKKE", age=3600)
        from_the_future = await sms_reply(client, clock, BO, "KAN IKKE", age=-3600)
        # A signature lifted from another body does not carry over.
        genuine = await sms_reply(client, clock, "+4799999999", "hei")
        tampered = await client.post(
            "/api/v1/sms/inbound",
            content=b'{"from": "912 34 567", "text": "KAN IKKE"}',
            headers={
                "Content-Type": "application/json",
                "X-Gateway-Timestamp": genuine.request.headers["X-Gateway-Timestamp"],
                "X-Gateway-Signature": genuine.request.headers["X-Gateway-Signature"],
            },
        )

    for refused in (unsigned, forged, replayed, from_the_future, tampered):
        assert refused.status_code == 401, refused.request.headers
        assert "status" not in refused.json()
    assert genuine.status_code == 200
    assert await count(notifications, models.absences) == 0


async def test_known_and_unknown_numbers_get_the_same_answer_and_only_a_participant_is_reported(
    notifications, events, client, clock
):
    group = GroupOfFour()
    async with running(notifications):
        await _started(notifications, events, group)

        stranger = await sms_reply(client, clock, "+4799999999", "KAN IKKE")
        assert await count(notifications, models.absences) == 0
        participant = await sms_reply(client, clock, BO, "KAN IKKE")
        not_understood = await sms_reply(client, clock, BO, "hei")

    answers = {(r.status_code, r.content) for r in (stranger, participant, not_understood)}
    assert answers == {(200, b'{"status":"received"}')}
    assert await count(notifications, models.absences) == 1
    assert (
        await count(
            notifications, models.absences, models.absences.c.participant_id == group.members["Bo Dahl"]
        )
        == 1
    )


async def _post_unsigned(settings, clock):
    service = create_service(settings, clock=clock)
    transport = httpx.ASGITransport(app=http_app(service))
    async with httpx.AsyncClient(transport=transport, base_url="http://notifications.test") as http:
        return await http.post("/api/v1/sms/inbound", json={"from": "+4799999999", "text": "KAN IKKE"})


async def test_without_a_secret_production_refuses_replies_and_development_takes_them_unsigned(
    notification_settings, clock
):
    production = notification_settings.model_copy(
        update={"sms_inbound_secret": None, "environment": "production"}
    )
    development = notification_settings.model_copy(
        update={"sms_inbound_secret": None, "environment": "development"}
    )

    refused = await _post_unsigned(production, clock)
    taken = await _post_unsigned(development, clock)

    assert refused.status_code == 503 and "SMS_INBOUND_SECRET" in refused.text
    assert (taken.status_code, taken.json()) == (200, {"status": "received"})
