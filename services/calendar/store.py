"""Rows to domain values and back, and the loads the commands share. No decisions are made here."""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any

from sqlalchemy import Text, bindparam, func, literal_column, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from .domain import (
    Booking,
    DateRange,
    MeetingSeries,
    MovedOccurrence,
    Starter,
    StarterBooking,
    Venue,
)
from .models import memberships, series, starter_bookings, starters, venue_bookings, venues
from .registry import VenueRow, hours_from_json, hours_to_json
from .venues import WeeklyHours


# --- venues and starters -------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def _hours(text: str) -> WeeklyHours:
    """Weekly hours from their JSON text, parsed once per distinct text: scheduling one group reads every
    starter of its district and every venue within reach, and most share a few patterns. Read-only, as
    the parsed value is shared between rows. The rows come from _VENUE_COLUMNS / _STARTER_COLUMNS, which
    read the JSON as text (cheap to key the cache on)."""
    return MappingProxyType(hours_from_json(json.loads(text)))


_VENUE_COLUMNS = (
    *(c for c in venues.c if c.name != "opening_hours"),
    venues.c.opening_hours.cast(Text).label("opening_hours"),
)
_STARTER_COLUMNS = (
    starters.c.id,
    starters.c.district,
    starters.c.availability.cast(Text).label("availability"),
)


def venue_from_row(row: Any) -> Venue:
    return Venue(
        id=str(row.id),
        name=row.name,
        municipality=row.municipality,
        kind=row.kind,
        capacity=row.capacity,
        accessible=row.accessible,
        opening_hours=_hours(row.opening_hours),
        blackout_dates=frozenset(date.fromisoformat(day) for day in row.blackout_dates),
        address=row.address,
    )


def starter_from_row(row: Any) -> Starter:
    return Starter(id=str(row.id), district=row.district, availability=_hours(row.availability))


async def load_venue(session: AsyncSession, venue_id: uuid.UUID | None) -> Venue | None:
    if venue_id is None:
        return None
    row = (await session.execute(select(*_VENUE_COLUMNS).where(venues.c.id == venue_id))).one_or_none()
    return venue_from_row(row) if row else None


async def upsert_venue(session: AsyncSession, district: str, row: VenueRow) -> bool:
    """Create the venue, or update it when its municipality already has one of that name; True when created."""
    values = {
        "district": district,
        "address": row.address,
        "kind": row.kind,
        "capacity": row.capacity,
        "accessible": row.accessible,
        "opening_hours": hours_to_json(row.opening_hours),
        "blackout_dates": sorted(day.isoformat() for day in row.blackout_dates),
    }
    # xmax = 0 only for a freshly inserted row: tells a create from an update in one statement.
    return (
        await session.execute(
            insert(venues)
            .values(id=uuid.uuid4(), municipality=row.municipality, name=row.name, **values)
            .on_conflict_do_update(
                index_elements=["municipality", "name"], set_={**values, "updated_at": func.now()}
            )
            .returning(literal_column("xmax = 0").label("created"))
        )
    ).scalar_one()


async def load_venues_for(session: AsyncSession, district: str, municipalities: Iterable[str]) -> list[Venue]:
    """Active venues a group of this district could reach: its district's, and any in its members' places."""
    query = select(*_VENUE_COLUMNS).where(
        venues.c.active,
        (venues.c.district == district) | venues.c.municipality.in_(sorted(set(municipalities))),
    )
    return [venue_from_row(row) for row in (await session.execute(query.order_by(venues.c.id))).all()]


async def load_starters(session: AsyncSession, district: str) -> list[Starter]:
    query = (
        select(*_STARTER_COLUMNS)
        .where(starters.c.active, starters.c.district == district)
        .order_by(starters.c.id)
    )
    return [starter_from_row(row) for row in (await session.execute(query)).all()]


async def load_venue_bookings(
    session: AsyncSession,
    venue_ids: Sequence[str],
    now: datetime,
    windows: Sequence[tuple[datetime, datetime]] | None = None,
) -> list[Booking]:
    """The venues' future bookings; with `windows`, only those overlapping one (an index scan each)."""
    if not venue_ids or (windows is not None and not windows):
        return []
    params: dict[str, Any] = {"venues": [uuid.UUID(v) for v in venue_ids], "now": now}
    for k, (start, end) in enumerate(windows or ()):
        params[f"s{k}"], params[f"e{k}"] = start, end
    rows = await session.execute(_venue_bookings_query(None if windows is None else len(windows)), params)
    return [Booking(str(venue_id), start, end) for venue_id, start, end in rows.all()]


@functools.cache
def _venue_bookings_query(windows: int | None):
    """Built once per number of windows (usually one per meeting of the horizon), then only bound."""
    during = venue_bookings.c.during
    query = select(venue_bookings.c.venue_id, func.lower(during), func.upper(during)).where(
        venue_bookings.c.venue_id.in_(bindparam("venues", expanding=True)),
        func.upper(during) > bindparam("now"),
    )
    if windows is None:
        return query
    overlaps = (
        during.op("&&")(func.tstzrange(bindparam(f"s{k}"), bindparam(f"e{k}"), "[)")) for k in range(windows)
    )
    return query.where(or_(*overlaps))


async def load_starter_bookings(
    session: AsyncSession, starter_ids: Sequence[str], now: datetime
) -> list[StarterBooking]:
    if not starter_ids:
        return []
    rows = await session.execute(
        select(
            starter_bookings.c.starter_id,
            func.lower(starter_bookings.c.during),
            func.upper(starter_bookings.c.during),
        )
        .where(starter_bookings.c.starter_id.in_([uuid.UUID(s) for s in starter_ids]))
        .where(func.upper(starter_bookings.c.during) > now)
    )
    return [StarterBooking(str(starter_id), start, end) for starter_id, start, end in rows.all()]


# --- series --------------------------------------------------------------------------------------
def series_from_row(row: Any, breaks: tuple[DateRange, ...]) -> MeetingSeries:
    return MeetingSeries(
        group_id=row.group_id,
        weekday=row.weekday,
        start_time=row.start_time,
        first_date=row.first_date,
        interval_weeks=row.interval_weeks,
        duration=timedelta(minutes=row.duration_minutes),
        exdates=frozenset(date.fromisoformat(day) for day in row.exdates),
        cancelled=frozenset(date.fromisoformat(day) for day in row.cancelled),
        overrides=tuple(
            MovedOccurrence(
                original_date=date.fromisoformat(item["original_date"]),
                start=datetime.fromisoformat(item["start"]),
                duration=timedelta(minutes=item["duration_minutes"])
                if item.get("duration_minutes")
                else None,
            )
            for item in row.overrides
        ),
        paused_from=row.paused_from,
        ended_on=row.ended_on,
        breaks=breaks,
        sequence=row.sequence,
        segment=row.segment,
    )


def series_values(one: MeetingSeries) -> dict[str, Any]:
    return {
        "group_id": one.group_id,
        "segment": one.segment,
        "weekday": one.weekday,
        "start_time": one.start_time,
        "first_date": one.first_date,
        "interval_weeks": one.interval_weeks,
        "duration_minutes": int(one.duration.total_seconds() // 60),
        "exdates": sorted(day.isoformat() for day in one.exdates),
        "cancelled": sorted(day.isoformat() for day in one.cancelled),
        "overrides": [
            {
                "original_date": moved.original_date.isoformat(),
                "start": moved.start.isoformat(),
                "duration_minutes": int(moved.duration.total_seconds() // 60) if moved.duration else None,
            }
            for moved in one.overrides
        ],
        "paused_from": one.paused_from,
        "ended_on": one.ended_on,
        "sequence": one.sequence,
    }


async def load_series(
    session: AsyncSession, group_id: uuid.UUID, breaks: tuple[DateRange, ...]
) -> list[MeetingSeries]:
    rows = await session.execute(
        select(series).where(series.c.group_id == group_id).order_by(series.c.segment)
    )
    return [series_from_row(row, breaks) for row in rows.all()]


async def save_series(session: AsyncSession, segments: Iterable[MeetingSeries]) -> None:
    for one in segments:
        values = series_values(one)
        await session.execute(
            insert(series)
            .values(**values)
            .on_conflict_do_update(
                index_elements=["group_id", "segment"],
                set_={k: v for k, v in values.items() if k not in ("group_id", "segment")},
            )
        )


# --- members -------------------------------------------------------------------------------------
async def members_of(session: AsyncSession, group_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.execute(
        select(memberships.c.participant_id)
        .where(memberships.c.group_id == group_id)
        .order_by(memberships.c.participant_id)
    )
    return list(rows.scalars().all())
