"""School breaks: the days a group does not meet because schools are closed in its county (issue 21, item 6).

The shipped breaks (shared/reference/school_breaks.csv, per county) apply to a district until its staff
edit a school year: the first edit copies that year's shipped rows of the district's counties into
`school_breaks`, and from then on the district's own rows are the truth for that year (a removed break
stays removed; a later school year shipped with a new release still comes in).

A group skips the breaks of the counties of its municipalities (all the district's counties when it has
none there, e.g. a digital group), plus the breaks the deployment sets (`calendar_breaks`), unless the
group chose to meet during breaks. Breaks are applied when meetings are read (pages, feeds, reminders)
and when a group is scheduled, so an edit changes what people see at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.reference import districts, get_municipality
from shared.reference.school_breaks import SchoolBreak, school_year_of, shipped_breaks

from .config import CalendarConfig
from .models import audit_log, groups, school_break_years, school_breaks
from .rules import CalendarRules, DateRange

KINDS = ("autumn", "christmas", "winter", "easter", "other")
SHIPPED = "shipped"
LONGEST_BREAK_DAYS = 62


class BreakRefused(Exception):
    """An edit the rules do not allow; `code` names the words the page shows (staff_texts `breaks_error_*`)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class DistrictBreak:
    key: (
        str  # the row's id, or "shipped:<county>:<school year>:<kind>" until the district takes the year over
    )
    county: str
    school_year: str
    kind: str
    first: date
    last: date
    source: str
    estimated: bool
    changed_by: str | None = None

    @property
    def shipped(self) -> bool:
        return self.key.startswith(SHIPPED)

    def as_range(self) -> DateRange:
        return DateRange(self.first, self.last, f"{self.kind} {self.county}")


def county_name(county: str) -> str:
    from shared.reference import all_municipalities

    return next((m.county_name for m in all_municipalities() if m.county_number == county), county)


def district_counties(district: str) -> tuple[str, ...]:
    return next((d.counties for d in districts() if d.id == district), ())


def _shipped_key(b: SchoolBreak) -> str:
    return f"{SHIPPED}:{b.county}:{b.school_year}:{b.kind}"


async def district_breaks(session: AsyncSession, district: str) -> list[DistrictBreak]:
    """The district's breaks: its own rows for the school years it took over, the shipped ones otherwise."""
    taken = set(
        (
            await session.execute(
                select(school_break_years.c.school_year).where(school_break_years.c.district == district)
            )
        ).scalars()
    )
    own = (await session.execute(select(school_breaks).where(school_breaks.c.district == district))).all()
    found = [
        DistrictBreak(
            str(r.id),
            r.county,
            r.school_year,
            r.kind,
            r.first_day,
            r.last_day,
            r.source,
            r.estimated,
            r.changed_by,
        )
        for r in own
    ] + [
        DistrictBreak(
            _shipped_key(b), b.county, b.school_year, b.kind, b.first, b.last, b.source, b.estimated
        )
        for b in shipped_breaks(district)
        if b.school_year not in taken
    ]
    return sorted(found, key=lambda b: (b.first, b.county, b.kind))


def group_counties(district: str, municipalities: Any) -> set[str]:
    mine = set(district_counties(district))
    places = (get_municipality(number) for number in municipalities or ())
    counties = {place.county_number for place in places if place and place.county_number in mine}
    return counties or mine


async def group_breaks(
    session: AsyncSession, config: CalendarConfig, group_id: uuid.UUID
) -> tuple[DateRange, ...]:
    """The periods the group does not meet in besides public holidays: none if it chose to meet."""
    row = (
        await session.execute(
            select(groups.c.district, groups.c.municipalities, groups.c.meet_during_breaks).where(
                groups.c.group_id == group_id
            )
        )
    ).one_or_none()
    if row is None:
        return ()
    if row.meet_during_breaks:
        return ()
    counties = group_counties(row.district, row.municipalities)
    school = [b.as_range() for b in await district_breaks(session, row.district) if b.county in counties]
    return (*config.rules.breaks_for(row.district), *school)


async def rules_for_group(
    session: AsyncSession, config: CalendarConfig, group_id: uuid.UUID, district: str
) -> CalendarRules:
    """The calendar's rules with this group's breaks, for the pure scheduler (matching.py reads them by district)."""
    breaks = await group_breaks(session, config, group_id)
    return replace(config.rules, breaks_by_region={district: breaks})


# --- staff edits (each audited with who and why) ---------------------------------------------------


async def _take_over(session: AsyncSession, district: str, school_year: str) -> None:
    """Copy the shipped rows of a school year into the district's own, once."""
    claimed = (
        await session.execute(
            pg_insert(school_break_years)
            .values(district=district, school_year=school_year)
            .on_conflict_do_nothing()
            .returning(school_break_years.c.school_year)
        )
    ).scalar_one_or_none()
    rows = [
        {
            "id": uuid.uuid4(),
            "district": district,
            "county": b.county,
            "school_year": b.school_year,
            "kind": b.kind,
            "first_day": b.first,
            "last_day": b.last,
            "source": b.source,
            "estimated": b.estimated,
        }
        for b in shipped_breaks(district)
        if b.school_year == school_year
    ]
    if claimed is not None and rows:
        await session.execute(insert(school_breaks), rows)


def _checked(district: str, county: str, kind: str, first: date, last: date) -> None:
    if county not in district_counties(district):
        raise BreakRefused("county")
    if kind not in KINDS:
        raise BreakRefused("kind")
    if last < first:
        raise BreakRefused("order")
    if (last - first).days >= LONGEST_BREAK_DAYS:
        raise BreakRefused("too_long")


async def _own_row(session: AsyncSession, district: str, key: str) -> Any:
    """The district's row for `key`, taking the school year over first when the key is a shipped one."""
    if key.startswith(SHIPPED):
        _, county, school_year, kind = key.split(":")
        await _take_over(session, district, school_year)
        where = [
            school_breaks.c.county == county,
            school_breaks.c.school_year == school_year,
            school_breaks.c.kind == kind,
        ]
    else:
        try:
            where = [school_breaks.c.id == uuid.UUID(key)]
        except ValueError:
            return None
    return (
        await session.execute(
            select(school_breaks).where(school_breaks.c.district == district, *where).limit(1)
        )
    ).one_or_none()


async def _audit(
    session: AsyncSession, district: str, actor: str, action: str, subject: Any, detail: str
) -> None:
    await record_audit(
        session,
        audit_log,
        actor=actor,
        action=action,
        district=district,
        subject_id=subject,
        detail=detail[:500],
    )


async def add_break(
    session: AsyncSession,
    district: str,
    *,
    county: str,
    kind: str,
    first: date,
    last: date,
    actor: str,
    reason: str,
) -> uuid.UUID:
    _checked(district, county, kind, first, last)
    if school_year_of(first) != school_year_of(last):
        raise BreakRefused("school_year")
    await _take_over(session, district, school_year_of(first))
    break_id = uuid.uuid4()
    await session.execute(
        insert(school_breaks).values(
            id=break_id,
            district=district,
            county=county,
            school_year=school_year_of(first),
            kind=kind,
            first_day=first,
            last_day=last,
            source=f"district office ({actor})",
            changed_by=actor,
        )
    )
    await _audit(
        session, district, actor, "school_break_added", break_id, f"{county} {kind} {first}–{last}: {reason}"
    )
    return break_id


async def change_break(
    session: AsyncSession, district: str, key: str, *, first: date, last: date, actor: str, reason: str
) -> uuid.UUID:
    row = await _own_row(session, district, key)
    if row is None:
        raise LookupError(key)
    _checked(district, row.county, row.kind, first, last)
    if school_year_of(first) != row.school_year or school_year_of(last) != row.school_year:
        raise BreakRefused("school_year")
    await session.execute(
        update(school_breaks)
        .where(school_breaks.c.id == row.id)
        .values(
            first_day=first,
            last_day=last,
            estimated=False,
            changed_by=actor,
            source=f"district office ({actor})",
        )
    )
    detail = f"{row.county} {row.kind} {row.first_day}–{row.last_day} → {first}–{last}: {reason}"
    await _audit(session, district, actor, "school_break_changed", row.id, detail)
    return row.id


async def remove_break(session: AsyncSession, district: str, key: str, *, actor: str, reason: str) -> None:
    row = await _own_row(session, district, key)
    if row is None:
        raise LookupError(key)
    await session.execute(delete(school_breaks).where(school_breaks.c.id == row.id))
    detail = f"{row.county} {row.kind} {row.first_day}–{row.last_day}: {reason}"
    await _audit(session, district, actor, "school_break_removed", row.id, detail)


async def set_meet_during_breaks(
    session: AsyncSession, district: str, group_id: uuid.UUID, meet: bool, *, actor: str, reason: str
) -> None:
    changed = (
        await session.execute(
            update(groups)
            .where(groups.c.group_id == group_id, groups.c.district == district)
            .values(meet_during_breaks=meet)
            .returning(groups.c.group_id)
        )
    ).scalar_one_or_none()
    if changed is None:
        raise LookupError(str(group_id))
    action = "group_meets_during_breaks" if meet else "group_skips_breaks"
    await _audit(session, district, actor, action, group_id, reason)
