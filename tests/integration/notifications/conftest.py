"""Fixtures of the notification tests: a real SMTP server (aiosmtpd) and SMS gateway on free ports, a
clock the test can move, the service, its HTTP app, and a publisher of other services' events."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from notifications_support import REFUSED, SMS_SECRET, Events, MovableClock

from services.notifications.app import NotificationService, create_service, http_app
from services.notifications.sinks import MailSink, SmsSink
from shared.settings import Settings


@pytest.fixture
async def mail_sink() -> AsyncIterator[MailSink]:
    sink = await MailSink(port=0, refuse=lambda address: REFUSED in address).start()
    yield sink
    await sink.stop()


@pytest.fixture
async def sms_sink() -> AsyncIterator[SmsSink]:
    sink = await SmsSink(port=0).start()
    yield sink
    await sink.stop()


@pytest.fixture
def notification_settings(settings: Settings, mail_sink: MailSink, sms_sink: SmsSink) -> Settings:
    return settings.model_copy(
        update={
            "smtp_port": mail_sink.port,
            "sms_inbound_secret": SMS_SECRET,
            "sms_gateway_url": sms_sink.url,
            "smtp_timeout_seconds": 5.0,
            "notification_poll_seconds": 0.1,
            "notification_retry_base_seconds": 0.2,
            "notification_retry_cap_seconds": 0.5,
        }
    )


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock()


@pytest.fixture
def notifications(notification_settings: Settings, clock: MovableClock) -> NotificationService:
    return create_service(notification_settings, clock=clock)


@pytest.fixture
async def client(notifications: NotificationService) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=http_app(notifications))
    async with httpx.AsyncClient(transport=transport, base_url="http://notifications.test") as http:
        yield http


@pytest.fixture
async def events(settings: Settings) -> AsyncIterator[Events]:
    publisher = Events(settings)
    await publisher.publisher.connect()
    yield publisher
    await publisher.publisher.close()
