"""What would get a waiting person a group sooner (grouping, issue 23): option codes, nothing about others."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field

from .envelope import Event


class WaitingOptions(Event):
    """What would get a waiting person a group sooner, as option codes they can take with one click
    (grouping, daily, when it changes). Consumed by registration (the status page) and notifications (one
    message once `nudge` is set). Nothing about other people: an option is only offered when it would let a
    group form."""

    EVENT_TYPE = "participant.waiting_options_changed.v1"
    participant_id: uuid.UUID
    waited_days: int = Field(ge=0)
    options: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Each `{code, params}`: `more_times` {slots}, `digital`, `cross_topic`, "
        "`neighbour_municipality` {municipality}. Empty: nothing to offer any more.",
    )
    nudge: bool = Field(
        default=False, description="The person has waited long enough to be told by message (once)."
    )
