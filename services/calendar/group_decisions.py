"""The calendar follows a group's own decisions (issue 22): the frequency or the holiday pause its members
chose (group.schedule_decided.v1), and a merge of two small groups (group.merged.v1), after which the moved
members get the remaining group's meetings and their old group's future meetings and bookings go."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.messaging import Outbox

from . import changing
from .commands import add_member, end_group, require_group
from .config import CalendarConfig

log = logging.getLogger("selvhjelp.calendar.decisions")


async def schedule_decided(
    session: AsyncSession, outbox: Outbox, config: CalendarConfig, data: Any, now: datetime
) -> None:
    if data.interval_weeks:
        steps = [changing.switch_frequency(data.from_date, data.interval_weeks)]
    else:
        steps = [changing.pause(data.pause_from), changing.resume(data.pause_until, None, None, None)]
    try:
        # In a savepoint: a change the series cannot take leaves the group's meetings as they were.
        async with session.begin_nested():
            for step in steps:
                await changing.apply_change(session, outbox, config, data.group_id, data.district, step, now)
    except (changing.ChangeRefused, changing.VenueUnavailable, changing.GroupNotFound) as refused:
        # The members decided; the district office sees the unchanged series and the log says why.
        log.warning(
            "a group's decided schedule could not be applied",
            extra={"group_id": str(data.group_id), "reason": type(refused).__name__},
        )


async def groups_merged(session: AsyncSession, config: CalendarConfig, data: Any, now: datetime) -> None:
    # Both groups' rows in one sorted order (the batch's lock_groups knows only events with a group_id).
    for group_id in sorted((data.from_group_id, data.into_group_id)):
        await require_group(session, group_id)
    for participant_id in data.moved:
        await add_member(session, data.into_group_id, participant_id)
    await end_group(session, config, data.from_group_id, now)
