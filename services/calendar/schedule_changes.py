"""What staff do to a group's schedule, for the JSON API and the staff pages alike, so both follow the
same rules and refuse with the same words. Each runs in its own transaction; a refusal is a `Refused`
carrying the HTTP status the API answers with and the message both show.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from . import changing
from .config import CalendarConfig
from .models import groups
from .plan import is_booking_clash
from .rules import WEEKDAY_CODES

NO_SUCH_GROUP = "no such group in your district"


class Refused(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def weekday_index(code: str | None) -> int | None:
    return WEEKDAY_CODES.index(code) if code else None


def weekly_time_change(from_date: date, weekday: str | None, start_time: time | None) -> changing.Change:
    if weekday is None and start_time is None:
        raise Refused(422, "give a new weekday, a new start time, or both")
    return changing.move_weekly_time(from_date, weekday_index(weekday), start_time)


async def change_schedule(
    service: Any, config: CalendarConfig, group_id: uuid.UUID, district: str, change: changing.Change
) -> None:
    try:
        async with service.transaction() as uow:
            await changing.apply_change(
                uow.session, uow.outbox, config, group_id, district, change, datetime.now(UTC)
            )
    except changing.GroupNotFound:
        raise Refused(404, NO_SUCH_GROUP) from None
    except changing.ChangeRefused as refused:
        raise Refused(422, str(refused)) from None
    except changing.VenueUnavailable as unavailable:
        raise Refused(409, str(unavailable)) from None
    except IntegrityError as error:
        if not is_booking_clash(error):
            raise
        raise Refused(409, "the venue is booked by another group at that time") from None


async def schedule_again(service: Any, group_id: uuid.UUID, district: str) -> None:
    """After staff added a venue or a starter: a failed group goes back to the scheduler at once."""
    async with service.transaction() as uow:
        changed = (
            await uow.session.execute(
                update(groups)
                .where(
                    groups.c.group_id == group_id,
                    groups.c.district == district,
                    groups.c.status == "failed",
                )
                .values(
                    status="to_schedule",
                    failure_reason=None,
                    failure_code=None,
                    schedule_after=func.now(),
                    updated_at=func.now(),
                )
                .returning(groups.c.group_id)
            )
        ).scalar_one_or_none()
    if changed is None:
        async with service.sessions() as session:
            known = await session.scalar(
                select(groups.c.group_id).where(groups.c.group_id == group_id, groups.c.district == district)
            )
        if known is None:
            raise Refused(404, NO_SUCH_GROUP)
        raise Refused(409, "only a group whose scheduling failed can be scheduled again")
    service.jobs.wake()
