"""Reads shared by notifications' staff API and its staff page: the district's delivery log."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from .models import deliveries

# The log's own fields. Never the context column: it holds names and meeting details.
LOG_COLUMNS = (
    deliveries.c.id,
    deliveries.c.recipient_id,
    deliveries.c.group_id,
    deliveries.c.message_type,
    deliveries.c.channel,
    deliveries.c.state,
    deliveries.c.attempts,
    deliveries.c.last_error,
    deliveries.c.created_at,
    deliveries.c.due_at,
    deliveries.c.sent_at,
)


def seen_by(district: str) -> Any:
    """The deliveries a district's staff may see. Messages about a group belong to its district; the ones
    before any group (the registration receipt) name no district and show nothing but ids, so every office
    may see them."""
    return or_(deliveries.c.district == district, deliveries.c.district.is_(None))


async def delivery_log(
    session: AsyncSession,
    district: str,
    *,
    state: str | None = None,
    message_type: str | None = None,
    recipient_id: uuid.UUID | None = None,
    limit: int,
) -> list[Any]:
    """The district's deliveries, newest first, narrowed to what is given."""
    d = deliveries
    query = select(*LOG_COLUMNS).where(seen_by(district))
    if state:
        query = query.where(d.c.state == state)
    if message_type:
        query = query.where(d.c.message_type == message_type)
    if recipient_id:
        query = query.where(d.c.recipient_id == recipient_id)
    return list((await session.execute(query.order_by(d.c.id.desc()).limit(limit))).all())
