"""Builders of valid inputs; tests override only what they are about. `registration_body` is shared with
the bench (shared/sample.py)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from shared.sample import registration_body


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
