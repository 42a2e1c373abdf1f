"""What a flow (end to end or paced) found: per invited person, when each stage of their way was done,
and the percentiles of the time each stage took."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from common import percentiles
from sqlalchemy import text

# One row per invited person: when each stage of their way was done (epoch seconds).
STAGES_SQL = """
WITH invited AS (
  SELECT recipient_id, group_id, min(sent_at) AS sent_at
  FROM notifications.deliveries
  WHERE message_type = 'group_invitation' AND state = 'sent'
  GROUP BY recipient_id, group_id
)
SELECT i.recipient_id AS participant_id, i.group_id,
  extract(epoch FROM r.registered_at) AS registered,
  extract(epoch FROM gi.processed_at) AS pooled,
  extract(epoch FROM g.formed_at) AS planning,
  extract(epoch FROM go.sent_at) AS formed,
  extract(epoch FROM cg.received_at) AS calendar,
  extract(epoch FROM cg.updated_at) AS scheduled,
  extract(epoch FROM co.sent_at) AS scheduled_out,
  extract(epoch FROM ni.processed_at) AS scheduled_in,
  extract(epoch FROM ng.invitations_queued_at) AS queued,
  extract(epoch FROM i.sent_at) AS sent
FROM invited i
LEFT JOIN registration.registrations r ON r.participant_id = i.recipient_id
LEFT JOIN registration.outbox ro ON ro.event_type = 'registration.accepted.v1'
  AND (ro.payload -> 'data' ->> 'participant_id')::uuid = i.recipient_id
LEFT JOIN grouping.inbox gi ON gi.event_id = ro.event_id
LEFT JOIN grouping.groups g ON g.group_id = i.group_id
LEFT JOIN grouping.outbox go ON go.event_type = 'group.formed.v1'
  AND (go.payload -> 'data' ->> 'group_id')::uuid = i.group_id
LEFT JOIN calendar.groups cg ON cg.group_id = i.group_id
LEFT JOIN calendar.outbox co ON co.event_type = 'meeting.scheduled.v1'
  AND (co.payload -> 'data' ->> 'group_id')::uuid = i.group_id
LEFT JOIN notifications.inbox ni ON ni.event_id = co.event_id
LEFT JOIN notifications.groups ng ON ng.group_id = i.group_id
"""

# (label, from column, to column); "published" is the bench's own clock.
STAGES = (
    ("intake: published → registered", "published", "registered"),
    ("→ grouping pool (relay, consumer)", "registered", "pooled"),
    ("in the pool until planned", "pooled", "planning"),
    ("planning → group.formed out", "planning", "formed"),
    ("→ calendar (consumer)", "formed", "calendar"),
    ("scheduling (venue, starter)", "calendar", "scheduled"),
    ("meeting.scheduled out (calendar relay)", "scheduled", "scheduled_out"),
    ("→ notifications (broker, consumer)", "scheduled_out", "scheduled_in"),
    ("→ invitations queued", "scheduled_in", "queued"),
    ("sending (sender queue, SMTP)", "queued", "sent"),
)


@dataclass
class FlowResult:
    registrations: int
    seconds: float
    rate: float
    offered: float
    invited: int
    groups: int
    scheduled: int
    failed: int
    latency: dict[str, float]
    invited_ids: set[uuid.UUID]
    after_group_complete: dict[str, float]
    stages: list[tuple[str, dict[str, float]]] = field(default_factory=list)
    stages_last: list[tuple[str, dict[str, float]]] = field(default_factory=list)
    # For the paced run: the same people's earliest possible invitation (bench/earliest.py), a lower bound.
    earliest: dict[str, float] = field(default_factory=dict)
    peak_mb: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    dead_lettered: dict[str, int] = field(default_factory=dict)
    relay_retries: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # part of a district's plan -> (plans, mean seconds), from grouping's selvhjelp_planning_seconds
    planning: dict[str, tuple[int, float]] = field(default_factory=dict)


async def measure(
    engine, published: dict[uuid.UUID, float], n: int, offered: float, progress: Any
) -> FlowResult:
    async with engine.connect() as c:
        rows = (await c.execute(text(STAGES_SQL))).mappings().all()
        finished = (
            await c.execute(
                text(
                    "SELECT extract(epoch FROM max(sent_at)) FROM notifications.deliveries"
                    " WHERE message_type = 'group_invitation' AND state = 'sent'"
                )
            )
        ).scalar_one()
    started = min(published.values())
    seconds = (float(finished) if finished is not None else time.time()) - started
    # Latency of each invited person, and from the moment their group could first be formed (its last
    # member's registration published): what the system adds beyond waiting for compatible people.
    rows = [
        {**row, "participant_id": uuid.UUID(str(row["participant_id"])), "group_id": str(row["group_id"])}
        for row in rows
    ]
    last_member: dict[Any, float] = {}
    for row in rows:
        t = published.get(row["participant_id"])
        if t is not None:
            last_member[row["group_id"]] = max(last_member.get(row["group_id"], 0.0), t)
    latencies, after_complete, invited_ids = [], [], set()
    stage_values: dict[str, list[float]] = {label: [] for label, _, _ in STAGES}
    # The same for the member whose registration completed their group: what the system itself adds.
    last_values: dict[str, list[float]] = {label: [] for label, _, _ in STAGES}
    for row in rows:
        t = published.get(row["participant_id"])
        if t is None:
            continue
        times = {
            key: (float(value) if value is not None else None)
            for key, value in row.items()
            if key not in ("participant_id", "group_id")
        }
        times["published"] = t
        latencies.append(times["sent"] - t)
        invited_ids.add(row["participant_id"])
        after_complete.append(times["sent"] - last_member[row["group_id"]])
        completed_group = t == last_member[row["group_id"]]
        for label, start, end in STAGES:
            if times.get(start) is not None and times.get(end) is not None:
                stage_values[label].append(times[end] - times[start])
                if completed_group:
                    last_values[label].append(times[end] - times[start])
    return FlowResult(
        registrations=n,
        seconds=seconds,
        rate=n / seconds,
        offered=offered,
        invited=len(latencies),
        groups=progress.formed,
        scheduled=progress.scheduled,
        failed=progress.failed,
        latency=percentiles(latencies),
        invited_ids=invited_ids,
        after_group_complete=percentiles(after_complete),
        stages=[(label, percentiles(values)) for label, values in stage_values.items()],
        stages_last=[(label, percentiles(values)) for label, values in last_values.items()],
    )
