"""The messages of a group's own decisions (issue 22): the members are asked to vote (with their link),
told what the group decided, and, after a merge, the moved members get the time and place of their new
group. Pure, like messages.py."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from .domain import as_oslo
from .links import Links
from .messages import Context, Group, Message


def _about(group_id: uuid.UUID, district: str | None) -> dict[str, Any]:
    return {"group_id": group_id, "district": district}


def _what(kind: str, proposal: dict[str, Any]) -> Context:
    """What the decision is about, for the templates: kind, change and its details."""
    return {
        "decision": kind,
        "change": proposal.get("change", ""),
        "interval_weeks": int(proposal.get("interval_weeks") or 0),
        "pause_from": date.fromisoformat(proposal["from"]) if "from" in proposal else None,
        "pause_until": date.fromisoformat(proposal["until"]) if "until" in proposal else None,
    }


def decision_vote_request(
    group_id: uuid.UUID,
    district: str | None,
    members: Sequence[uuid.UUID],
    event_id: uuid.UUID,
    links: Links,
    *,
    kind: str,
    proposal: dict[str, Any],
    deadline: datetime,
) -> Message:
    shared = {**_what(kind, proposal), "deadline": as_oslo(deadline), "member_count": len(members)}
    return Message(
        "decision_vote_request",
        event_id,
        members,
        lambda member: {
            **shared,
            "decisions_url": links.decisions(member),
            "preferences_url": links.preferences(member),
            "leave_url": links.leave(member),
        },
        **_about(group_id, district),
    )


def decision_outcome(
    group_id: uuid.UUID,
    district: str | None,
    members: Sequence[uuid.UUID],
    event_id: uuid.UUID,
    links: Links,
    *,
    kind: str,
    proposal: dict[str, Any],
    result: str,
    newcomers: int | None,
) -> Message:
    shared = {**_what(kind, proposal), "result": result, "newcomers": newcomers or 0}
    return Message(
        "decision_outcome",
        event_id,
        members,
        lambda member: {
            **shared,
            "decisions_url": links.decisions(member),
            "preferences_url": links.preferences(member),
            "leave_url": links.leave(member),
        },
        **_about(group_id, district),
    )


def group_merged(
    group: Group, moved: Sequence[uuid.UUID], event_id: uuid.UUID, links: Links, start: datetime | None
) -> Message:
    """To the moved members: their new group's time and place (no meeting while it pauses: the time then
    comes when it resumes)."""
    shared = {
        **group.where(),
        "meeting_start": as_oslo(start) if start else None,
        "meeting_end": group.meeting_end(start) if start else None,
    }
    return Message(
        "group_merged",
        event_id,
        moved,
        lambda member: {**shared, **links.calendar(member)},
        group_id=group.group_id,
        district=group.district,
    )
