"""A member left a running group, and a group fell below the minimum: what the others are told.

The others hear that someone has left, never who unless the leaver chose to say goodbye with their first
name. A group below four tells its members at once (the district office sees it on grouping's staff
pages: the system has no office mailbox); the group's decision links come with the decision itself."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from .. import messages, starter_messages
from .deliveries import queue_message
from .groups import load_group, lock_group
from .groups import member_left as forget_membership
from .runtime import Runtime
from .starters import tell_office


async def member_left(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    await lock_group(session, data.group_id)
    await forget_membership(session, rt, data, event_id)
    if data.before_start:  # a declined or lapsed invitation: the group has not met, nobody to tell
        return
    loaded = await load_group(session, data.group_id)
    if loaded is None or loaded[0].state != "started":
        return
    group = loaded[0]
    others = [member for member in group.members if member != data.participant_id]
    told = messages.member_left(
        group,
        others,
        event_id,
        rt.links,
        leaver=data.participant_id,
        named=bool(getattr(data, "say_goodbye", False)),
    )
    await queue_message(session, told, now=rt.clock())


async def below_minimum(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    loaded = await load_group(session, data.group_id)
    group = loaded[0] if loaded else messages.Group(group_id=data.group_id, district=data.district)
    if group.state == "ended":
        return
    recipients = list(data.member_ids) or list(group.members)
    message = messages.group_below_minimum(group, recipients, event_id, rt.links, members=data.members)
    await queue_message(session, message, now=rt.clock())
    office = starter_messages.office_group_below_minimum(data, event_id, rt.settings.grouping_url)
    await tell_office(session, rt, data.district, office)
