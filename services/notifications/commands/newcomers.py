"""A newcomer the members of a running group voted in (group.newcomer_invited.v1): their invitation, with
the group's next meeting, the frame and the confidentiality agreement. Once they accept, grouping's
group.member_joined.v1 brings them their first meeting and tells the group (groups.member_joined)."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from .. import membership_messages
from .deliveries import queue_message
from .groups import load_group, lock_group
from .runtime import Runtime

log = logging.getLogger("selvhjelp.notifications")


async def newcomer_invited(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    await lock_group(session, data.group_id)
    loaded = await load_group(session, data.group_id)
    now = rt.clock()
    start = loaded[0].next_meeting(now) if loaded is not None else None
    if loaded is None or start is None:
        # A running group is known and scheduled here; without a next meeting (a pause, an end) there is
        # nothing to join yet, and the invitation lapses in grouping, which then asks the next candidate.
        log.warning("newcomer invitation for a group without a next meeting; not sent")
        return
    invitation = membership_messages.newcomer_invitation(
        loaded[0], data.participant_id, event_id, rt.links, next_meeting=start, respond_by=data.respond_by
    )
    await queue_message(session, invitation, now=now)
