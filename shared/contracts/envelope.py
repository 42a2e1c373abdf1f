"""The one envelope every event on the bus travels in.

Consumers ignore unknown fields (additive changes within a version); the envelope itself is frozen.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

DataT = TypeVar("DataT", bound=BaseModel)


class EventData(BaseModel):
    """Base of every event body: frozen, unknown fields ignored so producers can add fields."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class Envelope(BaseModel, Generic[DataT]):
    model_config = ConfigDict(frozen=True, extra="ignore")

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4, description="Unique id; consumers dedupe on it.")
    event_type: str = Field(description="Routing key, `<aggregate>.<past-tense verb>.v<N>`.")
    schema_version: int = Field(default=1, ge=1, description="Version of `data`; equals the vN suffix.")
    occurred_at: datetime = Field(
        default_factory=lambda: datetime.now(UTC), description="When the fact happened (UTC)."
    )
    correlation_id: uuid.UUID = Field(
        default_factory=uuid.uuid4, description="Shared by every event of one business flow."
    )
    causation_id: uuid.UUID | None = Field(
        default=None, description="event_id of the event that caused this."
    )
    source: str = Field(description="Producing service or outside system, e.g. `registration`, `kommune-x`.")
    data: DataT


class Event(EventData):
    """An event body that knows its own routing key (`EVENT_TYPE`)."""

    EVENT_TYPE: ClassVar[str]

    def envelope(
        self,
        *,
        source: str,
        correlation_id: uuid.UUID | None = None,
        causation_id: uuid.UUID | None = None,
    ) -> Envelope[Any]:
        return Envelope[type(self)](  # type: ignore[misc]
            event_type=self.EVENT_TYPE,
            schema_version=int(self.EVENT_TYPE.rsplit(".v", 1)[1]),
            source=source,
            correlation_id=correlation_id or uuid.uuid4(),
            causation_id=causation_id,
            data=self,
        )
