"""What a signed-in starter may read: the starter it is in the calendar (found by the verified e-mail of its
sign-in within its district, ADR 0014), the groups it is assigned to and its own meetings, and, for the
district office, the meetings its starters cannot come to.

Every read is scoped: a starter sees only groups whose `starter_id` is its own, in its own district.
Calendar holds no member names (notifications does), so a group shows how many members it has.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import StaffUser

from .models import groups, memberships, starter_absences, starter_bookings, starters, venues

# When a booked meeting starts and ends (the bounds of its `during` range).
_START = func.lower(starter_bookings.c.during, type_=DateTime(timezone=True))
_END = func.upper(starter_bookings.c.during, type_=DateTime(timezone=True))


@dataclass(frozen=True)
class StarterMeeting:
    start: datetime
    end: datetime
    cannot_come: bool  # reported by the starter


@dataclass(frozen=True)
class StarterGroup:
    group_id: uuid.UUID
    status: str
    format: str
    venue_name: str | None
    venue_address: str | None
    meeting_url: str | None
    members: int
    started: bool  # its first meeting has begun
    first_names: list[str]  # only once the group has started (starter.roster_shared.v1)
    meetings: list[StarterMeeting]  # the starter's meetings of this group (the group's first ones)


async def starter_of(session: AsyncSession, user: StaffUser) -> Any | None:
    """The active starter of the user's district with the user's verified e-mail; None when there is none
    (no e-mail in the sign-in, or the district office has not registered this person)."""
    if not user.email or not user.district:
        return None
    return (
        await session.execute(
            select(starters.c.id, starters.c.first_name, starters.c.district).where(
                starters.c.district == user.district,
                func.lower(starters.c.email) == user.email.lower(),
                starters.c.active,
            )
        )
    ).one_or_none()


async def starter_groups(session: AsyncSession, starter_id: uuid.UUID, now: datetime) -> list[StarterGroup]:
    """The groups the starter is assigned to (not ended), soonest first meeting first."""
    rows = (
        await session.execute(
            select(
                groups.c.group_id,
                groups.c.status,
                groups.c.format,
                groups.c.meeting_url,
                venues.c.name.label("venue_name"),
                venues.c.address.label("venue_address"),
            )
            .outerjoin(venues, venues.c.id == groups.c.venue_id)
            .where(
                # Its own groups, and those where it stands in for another starter at one meeting
                # (starter_commands.assign_replacement); none once the first meetings are over.
                or_(
                    groups.c.starter_id == starter_id,
                    groups.c.group_id.in_(
                        select(starter_bookings.c.group_id).where(starter_bookings.c.starter_id == starter_id)
                    ),
                ),
                groups.c.status != "ended",
                groups.c.starters_released_at.is_(None),
            )
        )
    ).all()
    found = []
    for row in rows:
        meetings = await _meetings(session, starter_id, row.group_id)
        names = (
            (
                await session.execute(
                    select(memberships.c.first_name)
                    .where(memberships.c.group_id == row.group_id)
                    .order_by(memberships.c.first_name)
                )
            )
            .scalars()
            .all()
        )
        found.append(
            StarterGroup(
                group_id=row.group_id,
                status=row.status,
                format=row.format,
                venue_name=row.venue_name,
                venue_address=row.venue_address,
                meeting_url=row.meeting_url,
                members=len(names),
                started=bool(meetings) and meetings[0].start <= now,
                first_names=[name for name in names if name],
                meetings=meetings,
            )
        )
    return sorted(
        found, key=lambda g: g.meetings[0].start if g.meetings else now.max.replace(tzinfo=now.tzinfo)
    )


async def _meetings(
    session: AsyncSession, starter_id: uuid.UUID, group_id: uuid.UUID
) -> list[StarterMeeting]:
    # Its own report; a meeting handed to a replacement is no longer its booking at all.
    reported = select(starter_absences.c.meeting_start).where(
        starter_absences.c.group_id == group_id, starter_absences.c.starter_id == starter_id
    )
    rows = (
        await session.execute(
            select(
                _START.label("start"),
                _END.label("end"),
                _START.in_(reported).label("cannot_come"),
            )
            .where(starter_bookings.c.starter_id == starter_id, starter_bookings.c.group_id == group_id)
            .order_by(_START)
        )
    ).all()
    return [StarterMeeting(row.start, row.end, bool(row.cannot_come)) for row in rows]


async def starter_meeting_booked(
    session: AsyncSession, starter_id: uuid.UUID, group_id: uuid.UUID, meeting_start: datetime
) -> bool:
    """The starter has this meeting of this group booked (so it may say it cannot come)."""
    found = await session.scalar(
        select(func.count())
        .select_from(starter_bookings)
        .where(
            starter_bookings.c.starter_id == starter_id,
            starter_bookings.c.group_id == group_id,
            _START == meeting_start,
        )
    )
    return bool(found)


replacements = starters.alias("replacements")


async def district_starters(session: AsyncSession, district: str) -> list[Any]:
    """The district's active starters, for choosing a replacement."""
    return list(
        (
            await session.execute(
                select(starters.c.id, starters.c.first_name)
                .where(starters.c.district == district, starters.c.active)
                .order_by(starters.c.first_name, starters.c.id)
            )
        ).all()
    )


async def district_starter_absences(session: AsyncSession, district: str, since: datetime) -> list[Any]:
    """For the district office: meetings from `since` on that a starter cannot come to, soonest first."""
    return list(
        (
            await session.execute(
                select(
                    starter_absences.c.group_id,
                    starter_absences.c.meeting_start,
                    starter_absences.c.reported_at,
                    starter_absences.c.handled_at,
                    starter_absences.c.starter_id,
                    starters.c.first_name.label("starter_name"),
                    replacements.c.first_name.label("replacement_name"),
                    venues.c.name.label("venue_name"),
                )
                .join(groups, groups.c.group_id == starter_absences.c.group_id)
                .join(starters, starters.c.id == starter_absences.c.starter_id)
                .outerjoin(replacements, replacements.c.id == starter_absences.c.replacement_id)
                .outerjoin(venues, venues.c.id == groups.c.venue_id)
                .where(groups.c.district == district, starter_absences.c.meeting_start >= since)
                .order_by(starter_absences.c.meeting_start)
            )
        ).all()
    )
