"""Reads shared by the JSON API and the pages: a group's schedule, the district's venues and starters, a
person's groups, and which district a municipality belongs to. They change nothing."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.reference import get_municipality
from shared.scheduling_failures import scheduling_failure_words

from .breaks import group_breaks
from .config import CalendarConfig
from .models import groups, memberships, starters, venues
from .plan import meetings_between
from .rules import WEEKDAY_CODES
from .store import load_series

Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Segment(BaseModel):
    segment: int
    weekday: Weekday
    start_time: time
    first_date: date
    interval_weeks: int
    paused_from: date | None
    ended_on: date | None
    cancelled: list[date]
    moved: dict[date, datetime] = Field(description="Pattern day -> where that meeting was moved (local).")
    sequence: int


class GroupSchedule(BaseModel):
    group_id: uuid.UUID
    district: str
    status: str = Field(description="to_schedule, scheduled, failed or ended")
    format: str
    members: int
    failure_reason: str | None
    venue_id: uuid.UUID | None
    venue_name: str | None
    meeting_url: str | None
    starter_name: str | None
    segments: list[Segment]
    next_meetings: list[datetime]
    feed_path: str


def _failure_words(row: Any, language: str | None) -> str | None:
    if language is None or not row.failure_code or not row.failure_reason:
        return row.failure_reason
    code = row.failure_code
    return scheduling_failure_words(code.get("code"), code.get("params"), row.failure_reason, language)


async def group_schedule(
    session: AsyncSession,
    config: CalendarConfig,
    group_id: uuid.UUID,
    district: str,
    language: str | None = None,
) -> GroupSchedule | None:
    """The group's series and next meetings; None when the district has no such group (another
    district's group looks the same). With a `language` (the staff page) the failure reason is in the
    reader's language; without (the API) it is the stored English words, as the API has always said."""
    row = (
        await session.execute(
            select(groups, venues.c.name.label("venue_name"), starters.c.first_name.label("starter_name"))
            .outerjoin(venues, venues.c.id == groups.c.venue_id)
            .outerjoin(starters, starters.c.id == groups.c.starter_id)
            .where(groups.c.group_id == group_id, groups.c.district == district)
        )
    ).one_or_none()
    if row is None:
        return None
    members = await session.scalar(select(func.count()).where(memberships.c.group_id == group_id))
    segments = await load_series(session, group_id, await group_breaks(session, config, group_id))
    now = datetime.now(UTC)
    upcoming = meetings_between(segments, now, now + timedelta(weeks=12), config)[:10]
    return GroupSchedule(
        group_id=row.group_id,
        district=row.district,
        status=row.status,
        format=row.format,
        members=members,
        failure_reason=_failure_words(row, language),
        venue_id=row.venue_id,
        venue_name=row.venue_name,
        meeting_url=row.meeting_url,
        starter_name=row.starter_name,
        segments=[
            Segment(
                segment=one.segment,
                weekday=WEEKDAY_CODES[one.weekday],
                start_time=one.start_time,
                first_date=one.first_date,
                interval_weeks=one.interval_weeks,
                paused_from=one.paused_from,
                ended_on=one.ended_on,
                cancelled=sorted(one.cancelled),
                moved={moved.original_date: moved.start for moved in one.overrides},
                sequence=one.sequence,
            )
            for one in segments
        ],
        next_meetings=[meeting.start for meeting in upcoming],
        feed_path=config.group_feed_path(group_id),
    )


async def district_venues(
    session: AsyncSession, district: str, *, municipality: str | None = None, include_inactive: bool = True
) -> list[Any]:
    """The district's venues by municipality and name."""
    query = select(venues).where(venues.c.district == district)
    if municipality:
        query = query.where(venues.c.municipality == municipality)
    if not include_inactive:
        query = query.where(venues.c.active)
    return list((await session.execute(query.order_by(venues.c.municipality, venues.c.name))).all())


async def district_starters(
    session: AsyncSession, district: str, *, include_inactive: bool = True
) -> list[Any]:
    """The district's starters by first name."""
    query = select(starters).where(starters.c.district == district)
    if not include_inactive:
        query = query.where(starters.c.active)
    return list((await session.execute(query.order_by(starters.c.first_name, starters.c.id))).all())


async def participant_groups(session: AsyncSession, participant_id: uuid.UUID) -> list[Any]:
    """The groups the person is a member of (their meetings page and calendar feed), oldest first."""
    return list(
        (
            await session.execute(
                select(groups, memberships.c.joined_on)
                .join(memberships, memberships.c.group_id == groups.c.group_id)
                .where(memberships.c.participant_id == participant_id)
                .order_by(groups.c.received_at)
            )
        ).all()
    )


def district_of(municipality: str) -> str | None:
    found = get_municipality(municipality)
    return found.district if found else None


async def municipal_venues(session: AsyncSession, municipalities: frozenset[str]) -> list[Any]:
    """A contact point's venues: those in its municipalities, by municipality and name."""
    query = select(venues).where(venues.c.municipality.in_(sorted(municipalities)))
    return list((await session.execute(query.order_by(venues.c.municipality, venues.c.name))).all())


async def municipal_venue(session: AsyncSession, venue_id: Any, municipalities: frozenset[str]) -> Any:
    """One venue if it is in one of the municipalities; None otherwise (another's looks like none)."""
    query = select(venues).where(venues.c.id == venue_id, venues.c.municipality.in_(sorted(municipalities)))
    return (await session.execute(query)).one_or_none()
