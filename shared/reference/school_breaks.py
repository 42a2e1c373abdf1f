"""The school breaks of each county (school_breaks.csv; sources and which rows are estimates: README.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from . import _rows, districts

BREAK_KINDS = ("autumn", "christmas", "winter", "easter")


@dataclass(frozen=True)
class SchoolBreak:
    county: str
    county_name: str
    school_year: str  # "2026-27": August to July
    kind: str
    first: date
    last: date
    source: str
    estimated: bool
    checked_against: str = ""


def school_year_of(day: date) -> str:
    """The school year a day belongs to: August to July, e.g. 2027-02-22 -> "2026-27"."""
    start = day.year if day.month >= 8 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


@lru_cache(maxsize=1)
def school_breaks() -> tuple[SchoolBreak, ...]:
    return tuple(
        SchoolBreak(
            county=row["county_number"].strip(),
            county_name=row["county_name"].strip(),
            school_year=row["school_year"].strip(),
            kind=row["break"].strip(),
            first=date.fromisoformat(row["first_day"].strip()),
            last=date.fromisoformat(row["last_day"].strip()),
            source=row["source"].strip(),
            estimated=row["estimated"].strip() == "yes",
            checked_against=row["checked_against"].strip(),
        )
        for row in _rows("school_breaks.csv")
    )


def shipped_breaks(district: str) -> tuple[SchoolBreak, ...]:
    """The shipped breaks of every county the district covers."""
    counties = next((d.counties for d in districts() if d.id == district), ())
    return tuple(b for b in school_breaks() if b.county in counties)
