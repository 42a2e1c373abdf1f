"""A waiting person told, once, what would get them a group sooner (grouping's participant.waiting_options_changed.v1
with `nudge` set: they have waited `nudge_after_days`). The status page shows the options from the first day;
the message only points there, once."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Envelope
from shared.reference import get_municipality

from .. import membership_messages
from ..models import deliveries
from . import deliveries as queueing
from .runtime import Runtime

log = logging.getLogger("selvhjelp.notifications")
MESSAGE_TYPE = "waiting_options"


def _for_message(options: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The options as the templates word them: codes, times as codes (worded per language), places by name."""
    shown = []
    for option in options:
        params = option.get("params") or {}
        place = get_municipality(params.get("municipality", "")) if "municipality" in params else None
        shown.append(
            {
                "code": option["code"],
                "slots": list(params.get("slots", ())),
                "municipality": place.name if place else params.get("municipality", ""),
            }
        )
    return shown


async def waiting_options(session: AsyncSession, rt: Runtime, envelope: Envelope[Any]) -> None:
    data = envelope.data
    if not data.nudge or not data.options:
        return
    told = await session.scalar(
        select(
            exists().where(
                deliveries.c.recipient_id == data.participant_id, deliveries.c.message_type == MESSAGE_TYPE
            )
        )
    )
    if told:
        log.info("waiting options not sent again: the person was told before")
        return
    message = membership_messages.waiting_options(
        data.participant_id, envelope.event_id, rt.links, _for_message(list(data.options))
    )
    await queueing.queue_message(session, message, now=rt.clock())
