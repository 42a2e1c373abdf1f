"""The outbox backlog gauges behind the "outbox backlog older than 5 minutes" alert, on a real database."""

from __future__ import annotations

import pytest
from prometheus_client import REGISTRY

from services.registration import commands
from services.registration.app import create_service
from shared.contracts import RegistrationDetails
from shared.observability import OutboxBacklogProbe
from tests.support import eventually, running
from tests.support.factories import registration_body

pytestmark = pytest.mark.integration


def gauge(name: str, service: str) -> float | None:
    return REGISTRY.get_sample_value(name, {"service": service})


async def test_the_probe_reports_unpublished_events_and_their_age_until_the_relay_sends_them(settings):
    registration = create_service(settings)
    probe = OutboxBacklogProbe("registration-probe-test", registration.sessions, registration.outbox.table)
    assert await probe.sample_once() == (0, 0.0)
    async with registration.sessions() as session, session.begin():
        await commands.submit_registration(
            session, registration.outbox, RegistrationDetails.model_validate(registration_body())
        )

    pending, oldest = await probe.sample_once()

    assert pending >= 1 and oldest >= 0.0
    assert gauge("selvhjelp_outbox_pending", "registration-probe-test") == pending
    async with running(registration):
        await eventually(lambda: _drained(probe))
    assert gauge("selvhjelp_outbox_oldest_pending_age_seconds", "registration-probe-test") == 0.0


async def _drained(probe: OutboxBacklogProbe) -> bool:
    return (await probe.sample_once())[0] == 0


async def test_the_probe_runs_as_a_background_job_and_stops_cleanly(settings):
    registration = create_service(settings)
    probe = OutboxBacklogProbe(
        "registration-probe-job", registration.sessions, registration.outbox.table, 0.05
    )
    probe.start()
    try:
        await eventually(lambda: _sampled("registration-probe-job"))
    finally:
        await probe.stop()
        await registration.engine.dispose()


async def _sampled(service: str) -> bool:
    return gauge("selvhjelp_outbox_pending", service) is not None
