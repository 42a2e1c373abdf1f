"""A service process dies at the worst moments — after its commit and before its ack, after publishing and
before marking the outbox row sent, in the middle of a handler — and is started again: no effect is lost
and none is doubled; the inbox's duplicate counter shows the duplicate path ran where it must."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.grouping.app import create_service as create_grouping
from services.grouping.models import inbox as grouping_inbox
from services.grouping.models import pool
from services.registration.app import create_service as create_registration
from services.registration.models import inbox as registration_inbox
from services.registration.models import outbox as registration_outbox
from services.registration.models import registrations
from shared.messaging import INTAKE_EXCHANGE
from tests.support import eventually
from tests.support.bus import publish
from tests.support.factories import submitted_envelope
from tests.support.system import service_env, start_service, stop_service

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MESSAGES = 12


async def _scalar(service, statement):
    async with service.sessions() as session:
        return await session.scalar(statement)


async def _crash_then_restart(service_name: str, crash_at: str, settings, log: Path) -> None:
    crashing = start_service(service_name, service_env(settings, extra={"SELVHJELP_CRASH_AT": crash_at}), log)
    await eventually(lambda: crashing.poll() is not None, timeout=90)
    assert crashing.returncode == 137, f"did not crash at {crash_at}; see {log}"
    return start_service(service_name, service_env(settings), log)


@pytest.mark.parametrize("crash_at", ["consumer.after_commit:3", "consumer.mid_handler:3"])
async def test_registration_dies_around_its_commit_and_every_registration_counts_once(
    crash_at, settings, tmp_path
):
    probe = create_registration(settings)  # only for reading the database
    await publish(settings, INTAKE_EXCHANGE, *(submitted_envelope() for _ in range(MESSAGES)))
    restarted = await _crash_then_restart("registration", crash_at, settings, tmp_path / "registration.log")
    try:
        await eventually(
            lambda: _equals(probe, select(func.count()).select_from(registrations), MESSAGES), timeout=90
        )
        accepted = registration_outbox.c.event_type == "registration.accepted.v1"
        assert (
            await _scalar(probe, select(func.count()).select_from(registration_outbox).where(accepted))
            == MESSAGES
        )
        duplicates = await _scalar(probe, select(func.coalesce(func.sum(registration_inbox.c.duplicates), 0)))
    finally:
        stop_service(restarted)
        await probe.engine.dispose()
    if crash_at.startswith("consumer.after_commit"):
        assert duplicates >= 1  # the committed-but-unacked message came back and was recognised
    # mid_handler: the crashed message's effect was rolled back with its transaction, so its redelivery
    # counts as its first processing; messages handled concurrently may still come back as duplicates.


async def test_the_relay_dies_after_publishing_before_marking_sent_and_grouping_absorbs_the_repeat(
    settings, tmp_path
):
    registration = create_registration(settings)
    grouping = create_grouping(settings.model_copy(update={"planning_debounce_seconds": 3600}))
    await grouping.start()
    try:
        await publish(settings, INTAKE_EXCHANGE, *(submitted_envelope() for _ in range(MESSAGES)))
        restarted = await _crash_then_restart(
            "registration", "relay.after_publish:1", settings, tmp_path / "registration.log"
        )
        try:
            await eventually(
                lambda: _equals(grouping, select(func.count()).select_from(pool), MESSAGES), timeout=90
            )
            pending = registration_outbox.c.state == "pending"
            await eventually(
                lambda: _equals(
                    registration, select(func.count()).select_from(registration_outbox).where(pending), 0
                ),
                timeout=60,
            )
            duplicates = await _scalar(
                grouping, select(func.coalesce(func.sum(grouping_inbox.c.duplicates), 0))
            )
        finally:
            stop_service(restarted)
    finally:
        await grouping.stop()
        await registration.engine.dispose()
    assert duplicates >= 1
    assert await _scalar(grouping, select(func.count(pool.c.participant_id.distinct()))) == MESSAGES


async def _equals(service, statement, expected) -> bool:
    return await _scalar(service, statement) == expected
