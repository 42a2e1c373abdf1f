"""Retention in the notification service, against the real database with an explicit `now`: sent outbox
rows, old inbox rows, finished deliveries (with what they said) and absences of long-past meetings go;
what is pending, queued or recent stays. The outbox and inbox steps are shared by every service."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, insert, select, text

from services.notifications import models

pytestmark = pytest.mark.integration

NOW = datetime(2027, 6, 1, 12, 0, tzinfo=UTC)


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


async def _fill(service) -> None:
    s = service.settings
    outbox, inbox = service.outbox.table, service.inbox
    async with service.sessions() as session, session.begin():
        for state, sent_at, tag in (
            ("sent", days_ago(s.outbox_retention_days + 1), "old sent"),
            ("sent", days_ago(s.outbox_retention_days - 1), "recent sent"),
            ("pending", None, "old pending"),  # not published yet (broker down for weeks): kept
        ):
            await session.execute(
                insert(outbox).values(
                    event_id=uuid.uuid4(),
                    event_type="absence.reported.v1",
                    exchange="selvhjelp.notifications",
                    payload={"tag": tag},
                    state=state,
                    created_at=days_ago(60),
                    sent_at=sent_at,
                )
            )
        for age in (s.inbox_retention_days + 1, s.inbox_retention_days - 1):
            await session.execute(
                insert(inbox).values(
                    consumer="notifications.people",
                    event_id=uuid.uuid4(),
                    event_type="x.v1",
                    processed_at=days_ago(age),
                )
            )
        keep = s.notification_retention_days
        for state, age in (
            ("sent", keep + 1),
            ("failed", keep + 1),
            ("sent", keep - 1),
            ("queued", keep + 30),
        ):
            await session.execute(
                insert(models.deliveries).values(
                    source_event_id=uuid.uuid4(),
                    recipient_id=uuid.uuid4(),
                    channel="email",
                    message_type="reminder",
                    language="nb",
                    context='{"name": "Ada"}',
                    state=state,
                    created_at=days_ago(age),
                    sent_at=days_ago(age) if state == "sent" else None,
                )
            )
        for age in (keep + 1, keep - 1):
            await session.execute(
                insert(models.absences).values(
                    participant_id=uuid.uuid4(), meeting_start=days_ago(age), group_id=uuid.uuid4()
                )
            )


async def _left(service, table, column):
    async with service.sessions() as session:
        return sorted(str(v) for v in (await session.execute(select(column))).scalars())


async def test_a_pass_deletes_what_outlived_its_period_and_keeps_the_rest(notifications):
    await _fill(notifications)

    removed = await notifications.retention.run_once(NOW)

    assert removed == {"outbox": 1, "inbox": 1, "deliveries": 2, "absences": 1}
    outbox = notifications.outbox.table
    assert await _left(notifications, outbox, outbox.c.payload["tag"].astext) == [
        "old pending",
        "recent sent",
    ]
    async with notifications.sessions() as session:
        states = sorted((await session.execute(select(models.deliveries.c.state))).scalars())
        inbox_left = await session.scalar(select(func.count()).select_from(notifications.inbox))
        absences_left = await session.scalar(select(func.count()).select_from(models.absences))
    assert states == ["queued", "sent"] and inbox_left == 1 and absences_left == 1
    assert await notifications.retention.run_once(NOW) == {
        "outbox": 0,
        "inbox": 0,
        "deliveries": 0,
        "absences": 0,
    }


async def test_only_one_replica_works_at_a_time(notifications):
    await _fill(notifications)
    async with notifications.sessions() as session, session.begin():
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": notifications.retention.lock})
        assert await notifications.retention.run_once(NOW) == {}  # the other replica is at it

    assert (await notifications.retention.run_once(NOW))["deliveries"] == 2
