"""Erasure across services: the person erases themselves, every service deletes what it holds and reports
it, and afterwards no table of any service holds the person's id beyond the erasure's own trail."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import text

from services.calendar.app import create_service as create_calendar
from services.grouping.app import create_service as create_grouping
from services.notifications.app import create_service as create_notifications
from shared.auth import issue_staff_token
from shared.messaging.topology import SERVICES
from tests.support import eventually, running
from tests.support.factories import registration_body

pytestmark = pytest.mark.integration

TEXTUAL = ("uuid", "jsonb", "json", "text", "character varying")
# What an erasure itself must leave: the report, the audit entry, and the erasure events (ids only).
ERASURE_TRAIL = {"participant.erased.v1", "participant.data_deleted.v1"}


async def tables_holding(service, participant_id: str) -> dict[str, list[dict]]:
    """Every row, in every table of every service's schema, with the id in any uuid/json/text column."""
    found: dict[str, list[dict]] = {}
    async with service.engine.connect() as connection:
        columns = (
            await connection.execute(
                text(
                    "SELECT table_schema, table_name, column_name FROM information_schema.columns"
                    " WHERE table_schema = ANY(:schemas) AND data_type = ANY(:types)"
                    " ORDER BY table_schema, table_name, ordinal_position"
                ),
                {"schemas": list(SERVICES), "types": list(TEXTUAL)},
            )
        ).all()
        by_table: dict[tuple[str, str], list[str]] = {}
        for schema, table, column in columns:
            by_table.setdefault((schema, table), []).append(column)
        for (schema, table), names in by_table.items():
            where = " OR ".join(f'"{c}"::text LIKE :pattern' for c in names)
            rows = (
                await connection.execute(
                    text(f'SELECT * FROM "{schema}"."{table}" WHERE {where}'),
                    {"pattern": f"%{participant_id}%"},
                )
            ).mappings()
            if hits := [dict(r) for r in rows]:
                found[f"{schema}.{table}"] = hits
    return found


def beyond_the_erasure_trail(found: dict[str, list[dict]]) -> dict[str, list[dict]]:
    left = {}
    for table, rows in found.items():
        if table in ("registration.erasure_reports", "registration.audit_log"):
            continue
        if table.endswith(".outbox"):
            rows = [r for r in rows if r["event_type"] not in ERASURE_TRAIL]
        if rows:
            left[table] = rows
    return left


async def test_an_erasure_reaches_every_service_and_leaves_no_trace_of_the_person(
    client, registration_app, settings
):
    registration = registration_app.state.service
    others = [create_grouping(settings), create_calendar(settings), create_notifications(settings)]
    async with contextlib.AsyncExitStack() as stack:
        for service in others:
            await stack.enter_async_context(running(service))

        receipt = (await client.post("/api/v1/registrations", json=registration_body())).json()
        person = receipt["registration_id"]

        async def known_to_grouping_and_notifications():
            schemas = {table.split(".")[0] for table in await tables_holding(registration, person)}
            return {"grouping", "notifications"} <= schemas

        await eventually(known_to_grouping_and_notifications, timeout=30)

        erased = await client.post(f"/api/v1/registrations/status/{receipt['status_token']}/erase")
        assert erased.status_code == 200

        staff = {
            "Authorization": "Bearer " + issue_staff_token(settings.keyring(), "anne", "nord", ["staff"])
        }

        async def report():
            answer = (await client.get(f"/api/v1/staff/erasures/{person}", headers=staff)).json()
            return answer["services"] if len(answer["services"]) == 3 else None

        services = await eventually(report, timeout=30)
        assert set(services) == {"grouping", "calendar", "notifications"}
        assert services["grouping"] >= 1 and services["notifications"] >= 1

        # Every service has also sent its report, so its own deletion has committed.
        left = beyond_the_erasure_trail(await tables_holding(registration, person))
        assert left == {}, f"the person's id is still in {sorted(left)}"
