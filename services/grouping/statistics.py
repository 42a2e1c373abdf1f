"""The yearly figures a district office reports (issue 21, item 7): per district, county, municipality, topic
or quarter, how many registered, were placed and how long they waited, how many groups formed, started
and were still meeting after 3 and 6 months, how many withdrew, and how many absences were reported.

Cohorts, so a row reads as one story: a person counts in the quarter (and the period) they registered,
with their placement and withdrawal whenever that came; a group counts in the quarter it formed, with
its absences. A person's place is their own municipality and topic; a group's place is its first
municipality and its topic is "across topics" when it has several. Waiting time runs from registration
to the start of the first group the person was in.

Counts under 5 are shown as "<5" (text, never a number), and a waiting time is shown only when at least
5 people make it, so no person can be singled out from a table of a small place; a larger count that
would let a "<5" be worked out from its column's total is shown as ":" (`shown_table`, suppression.py).

What grouping no longer holds is not counted: erased people, and members of groups closed longer ago
than `closed_group_retention_days` (their memberships are deleted). Withdrawals are kept as anonymous
rows (`withdrawals`) because the person's pool row goes when they withdraw.
"""

from __future__ import annotations

import statistics as stats
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.reference import all_municipalities, districts, get_municipality
from shared.vocabulary import TOPIC_NAMES

from . import suppression
from .models import attendance, groups, memberships, pool, withdrawals

SMALL = suppression.SMALL
HIDDEN = "<5"
# A count of 5 or more hidden so that a "<5" beside it cannot be worked out from the total (suppression.py);
# Statistics Norway's sign for "not shown, for confidentiality".
COMPLEMENT = ":"
DIMENSIONS = ("district", "county", "municipality", "topic", "quarter")
ACROSS_TOPICS = "across"  # a group of people with different topics (på tvers)
ALL = "all"


@dataclass(frozen=True)
class PersonFact:
    district: str
    municipality: str
    topic: str
    registered_at: datetime
    placed_at: datetime | None = None
    withdrew: bool = False


@dataclass(frozen=True)
class GroupFact:
    district: str
    municipality: str
    topic: str
    formed_at: datetime
    started_at: datetime | None = None
    closed_at: datetime | None = None
    absences: int = 0


@dataclass
class Row:
    """One line of the report, as true counts; `shown` hides what is too small to show."""

    key: str
    registrations: int = 0
    placed: int = 0
    waits: list[float] = field(default_factory=list)
    groups_formed: int = 0
    groups_started: int = 0
    running_3m: int = 0
    running_6m: int = 0
    withdrawals: int = 0
    absences: int = 0

    @property
    def wait_median(self) -> float | None:
        return round(stats.median(self.waits), 1) if self.waits else None

    @property
    def wait_p90(self) -> float | None:
        return round(percentile(self.waits, 0.9), 1) if self.waits else None


COLUMNS = (
    "registrations",
    "placed",
    "wait_median",
    "wait_p90",
    "groups_formed",
    "groups_started",
    "running_3m",
    "running_6m",
    "withdrawals",
    "absences",
)
WAIT_COLUMNS = ("wait_median", "wait_p90")


def percentile(values: Sequence[float], share: float) -> float:
    """The nearest-rank percentile: a value someone actually waited, not an interpolation."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil without floats drifting
    return ordered[int(rank) - 1]


def count_shown(count: int) -> int | str:
    return count if count >= SMALL else HIDDEN


def shown(row: Row) -> dict[str, int | float | str]:
    """The row as it may be published: small counts and waits of few people become "<5"."""
    values: dict[str, int | float | str] = {}
    for column in COLUMNS:
        if column in WAIT_COLUMNS:
            value = getattr(row, column)
            values[column] = value if value is not None and len(row.waits) >= SMALL else HIDDEN
        else:
            values[column] = count_shown(getattr(row, column))
    return values


def shown_table(rows: Sequence[Row], total: Row) -> tuple[list[dict[str, int | float | str]], dict]:
    """The rows and the total as they may be published: `shown`, and then in each count column whatever
    more must be hidden so the column's total does not give a small count away (suppression.py)."""
    values = [shown(row) for row in rows]
    total_values = shown(total)
    for column in COLUMNS:
        if column in WAIT_COLUMNS:  # not a sum of the rows: nothing to work out from the total
            continue
        marks, total_mark = suppression.suppress_column(
            [getattr(row, column) for row in rows], getattr(total, column)
        )
        for row_values, mark in zip(values, marks, strict=True):
            if mark == suppression.COMPLEMENTARY:
                row_values[column] = COMPLEMENT
        if total_mark == suppression.COMPLEMENTARY:
            total_values[column] = COMPLEMENT
    return values, total_values


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    day = min(
        moment.day, [31, 29 if year % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    )
    return moment.replace(year=year, month=month, day=day)


def quarter_of(moment: datetime) -> str:
    return f"{moment.year}-Q{(moment.month - 1) // 3 + 1}"


def county_of(municipality: str) -> str:
    place = get_municipality(municipality)
    return place.county_number if place else "?"


def _key(dimension: str, district: str, municipality: str, topic: str, when: datetime) -> str:
    if dimension == "district":
        return district
    if dimension == "county":
        return county_of(municipality)
    if dimension == "municipality":
        return municipality
    if dimension == "topic":
        return topic
    return quarter_of(when)


def still_running(group: GroupFact, months: int, as_of: datetime) -> bool | None:
    """Whether a started group was still meeting `months` after its start; None while too young to tell."""
    if group.started_at is None:
        return None
    mark = add_months(group.started_at, months)
    if mark > as_of:
        return None
    return group.closed_at is None or group.closed_at > mark


def aggregate(
    people: Iterable[PersonFact], groups_: Iterable[GroupFact], dimension: str, *, as_of: datetime
) -> tuple[list[Row], Row]:
    """The rows (sorted by key) and the total, as true counts."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}; expected one of {', '.join(DIMENSIONS)}")
    rows: dict[str, Row] = defaultdict(lambda: Row(""))
    total = Row("total")
    for person in people:
        key = _key(dimension, person.district, person.municipality, person.topic, person.registered_at)
        for row in (rows[key], total):
            row.registrations += 1
            row.withdrawals += person.withdrew
            if person.placed_at is not None:
                row.placed += 1
                row.waits.append((person.placed_at - person.registered_at).total_seconds() / 86400)
    for group in groups_:
        key = _key(dimension, group.district, group.municipality, group.topic, group.formed_at)
        for row in (rows[key], total):
            row.groups_formed += 1
            row.groups_started += group.started_at is not None
            row.running_3m += bool(still_running(group, 3, as_of))
            row.running_6m += bool(still_running(group, 6, as_of))
            row.absences += group.absences
    for key, row in rows.items():
        row.key = key
    return sorted(rows.values(), key=lambda row: row.key), total


def label(dimension: str, key: str, language: str) -> str:
    """The row's name in the reader's language."""
    if dimension == "district":
        return next((d.name for d in districts() if d.id == key), key)
    if dimension == "county":
        return next((m.county_name for m in all_municipalities() if m.county_number == key), key)
    if dimension == "municipality":
        place = get_municipality(key)
        return place.name if place else key
    if dimension == "topic":
        if key == ACROSS_TOPICS:
            return {"nb": "På tvers av tema", "nn": "På tvers av tema", "en": "Across topics"}[language]
        return TOPIC_NAMES[language].get(key, key)
    year, quarter = key.split("-Q")
    return f"{year} {'Q' if language == 'en' else 'K'}{quarter}"


def group_topic(topics: Sequence[str]) -> str:
    distinct = sorted(set(topics or ()))
    return distinct[0] if len(distinct) == 1 else ACROSS_TOPICS


# --- queries ------------------------------------------------------------------------------------


def _in_scope(column: Any, district: str, since: datetime | None, until: datetime | None, when: Any) -> list:
    where = [] if district == ALL else [column == district]
    if since is not None:
        where.append(when >= since)
    if until is not None:
        where.append(when < until)
    return where


async def load_facts(
    session: AsyncSession, district: str, *, since: datetime | None = None, until: datetime | None = None
) -> tuple[list[PersonFact], list[GroupFact]]:
    """Everyone registered and every group formed in [since, until) in the district (or all districts)."""
    started = (
        select(memberships.c.participant_id, func.min(groups.c.started_at).label("placed_at"))
        .join(groups, groups.c.group_id == memberships.c.group_id)
        .where(memberships.c.status.in_(("accepted", "left")), groups.c.started_at.is_not(None))
        .group_by(memberships.c.participant_id)
        .subquery()
    )
    people_rows = (
        await session.execute(
            select(
                pool.c.district, pool.c.municipality, pool.c.topic, pool.c.registered_at, started.c.placed_at
            )
            .outerjoin(started, started.c.participant_id == pool.c.participant_id)
            .where(*_in_scope(pool.c.district, district, since, until, pool.c.registered_at))
        )
    ).all()
    gone_rows = (
        await session.execute(
            select(withdrawals).where(
                *_in_scope(withdrawals.c.district, district, since, until, withdrawals.c.registered_at)
            )
        )
    ).all()
    absent = (
        select(attendance.c.group_id, func.count().label("absences"))
        .where(attendance.c.absent)
        .group_by(attendance.c.group_id)
        .subquery()
    )
    group_rows = (
        await session.execute(
            select(groups, func.coalesce(absent.c.absences, 0).label("absences"))
            .outerjoin(absent, absent.c.group_id == groups.c.group_id)
            .where(*_in_scope(groups.c.district, district, since, until, groups.c.formed_at))
        )
    ).all()
    people = [
        PersonFact(r.district, r.municipality, r.topic, r.registered_at, r.placed_at) for r in people_rows
    ] + [
        PersonFact(r.district, r.municipality, r.topic, r.registered_at, r.placed_at, withdrew=True)
        for r in gone_rows
    ]
    group_facts = [
        GroupFact(
            r.district,
            (r.municipalities or ["?"])[0],
            group_topic(r.topics),
            r.formed_at,
            r.started_at,
            r.closed_at,
            r.absences,
        )
        for r in group_rows
    ]
    return people, group_facts


async def note_withdrawal(
    session: AsyncSession, participant_id: uuid.UUID, *, now: datetime | None = None
) -> None:
    """Keep an anonymous trace of a withdrawal before the person's pool row goes: no id, no birth date."""
    person = (
        await session.execute(select(pool).where(pool.c.participant_id == participant_id))
    ).one_or_none()
    if person is None:
        return
    placed_at = await session.scalar(
        select(func.min(groups.c.started_at))
        .join(memberships, memberships.c.group_id == groups.c.group_id)
        .where(
            and_(
                memberships.c.participant_id == participant_id,
                memberships.c.status.in_(("accepted", "left")),
                groups.c.started_at.is_not(None),
            )
        )
    )
    await session.execute(
        insert(withdrawals).values(
            district=person.district,
            municipality=person.municipality,
            topic=person.topic,
            registered_at=person.registered_at,
            placed_at=placed_at,
            withdrew_at=now or datetime.now(UTC),
        )
    )


def period_bounds(year: int | None) -> tuple[datetime | None, datetime | None]:
    if year is None:
        return None, None
    return datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)


def report_year(value: str | None, today: date) -> int | None:
    """`?year=` as the page takes it: a year, `all`, or (missing or unreadable) this year."""
    if value == ALL:
        return None
    try:
        year = int(value) if value else today.year
    except ValueError:
        return today.year
    return year if 2000 <= year <= 2100 else today.year
