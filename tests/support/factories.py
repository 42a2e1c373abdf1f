"""Builders of valid inputs; tests override only what they are about."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any


def registration_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "participant": {"name": "Kari Nordmann", "email": "kari@example.org"},
        "birth_date": (date.today() - timedelta(days=365 * 40)).isoformat(),
        "gender": "female",
        "municipality": "1804",
        "topic": "grief",
        "composition": "any",
        "format": "in_person",
        "availability": ["tue_evening"],
        "single_gender": False,
        "language": "nb",
        "source": "self",
        "consent": {"version": "2026-01", "given_at": datetime.now(UTC).isoformat(), "sensitive_data": True},
    }
    body.update(overrides)
    return body


def submitted_envelope(event_id: uuid.UUID | None = None, **data_overrides: Any) -> dict[str, Any]:
    data = registration_body(source="external", external_ref=f"kommune-{uuid.uuid4().hex[:8]}")
    data.update(data_overrides)
    return {
        "event_id": str(event_id or uuid.uuid4()),
        "event_type": "registration.submitted.v1",
        "schema_version": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "correlation_id": str(uuid.uuid4()),
        "source": "mestringskurs-bodo",
        "data": data,
    }
