"""Venues and starters as staff enter them: weekly hours as text or JSON, and the CSV import of venues.

Pure: parses and formats, never touches the database. Weekly hours are stored as JSON keyed by weekday
code (`{"tue": [["17:00", "21:00"]]}`) so a row reads the way staff wrote it.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time

from .rules import WEEKDAY_CODES
from .venues import TimeRange, WeeklyHours

VENUE_KINDS = ("library", "volunteer_centre", "healthy_life_centre", "school", "church", "other")
CSV_COLUMNS = (
    "municipality",
    "name",
    "address",
    "kind",
    "capacity",
    "accessible",
    "opening_hours",
    "blackout_dates",
)

_DAYS = r"(mon|tue|wed|thu|fri|sat|sun)"
_SPAN = re.compile(rf"^{_DAYS}(?:\s*-\s*{_DAYS})?\s+(\d{{1,2}}:\d{{2}})\s*-\s*(\d{{1,2}}:\d{{2}})$")


def hours_from_json(data: Mapping[str, list[list[str]]]) -> dict[int, tuple[TimeRange, ...]]:
    """`{"tue": [["17:00", "21:00"]]}` -> `{1: (TimeRange(17:00, 21:00),)}`."""
    hours: dict[int, tuple[TimeRange, ...]] = {}
    for day, spans in data.items():
        if day not in WEEKDAY_CODES:
            raise ValueError(f"unknown weekday {day!r}; use one of {', '.join(WEEKDAY_CODES)}")
        ranges = tuple(
            _time_range(time.fromisoformat(start), time.fromisoformat(end)) for start, end in spans
        )
        if ranges:
            hours[WEEKDAY_CODES.index(day)] = tuple(sorted(ranges, key=lambda r: r.start))
    return hours


def hours_to_json(hours: WeeklyHours) -> dict[str, list[list[str]]]:
    return {
        WEEKDAY_CODES[day]: [[f"{span.start:%H:%M}", f"{span.end:%H:%M}"] for span in spans]
        for day, spans in sorted(hours.items())
        if spans
    }


def parse_hours_text(text: str) -> dict[int, tuple[TimeRange, ...]]:
    """`mon-thu 10:00-21:00; sat 10:00-15:00` -> weekly hours. Empty text means never open."""
    collected: dict[int, list[TimeRange]] = {}
    for part in filter(None, (piece.strip().lower() for piece in text.split(";"))):
        match = _SPAN.match(part)
        if match is None:
            raise ValueError(f"cannot read opening hours {part!r}; write e.g. 'mon-thu 10:00-21:00'")
        first, last, start, end = match.groups()
        span = _time_range(time.fromisoformat(start.zfill(5)), time.fromisoformat(end.zfill(5)))
        first_day = WEEKDAY_CODES.index(first)
        last_day = WEEKDAY_CODES.index(last) if last else first_day
        if last_day < first_day:
            raise ValueError(f"day range {first}-{last} runs backwards")
        for day in range(first_day, last_day + 1):
            collected.setdefault(day, []).append(span)
    return {day: tuple(sorted(spans, key=lambda r: r.start)) for day, spans in collected.items()}


def parse_dates_text(text: str) -> frozenset[date]:
    """Blackout dates separated by spaces, commas or semicolons: `2027-05-17 2027-12-24`."""
    try:
        return frozenset(date.fromisoformat(item) for item in re.split(r"[\s,;]+", text.strip()) if item)
    except ValueError as error:
        raise ValueError(f"cannot read blackout dates: {error}") from None


@dataclass(frozen=True)
class VenueRow:
    """One venue as staff describe it (no id yet)."""

    municipality: str
    name: str
    kind: str
    capacity: int
    accessible: bool
    opening_hours: Mapping[int, tuple[TimeRange, ...]] = field(default_factory=dict)
    blackout_dates: frozenset[date] = frozenset()
    address: str = ""


@dataclass(frozen=True)
class RowProblem:
    line: int
    message: str


def parse_venue_csv(text: str) -> tuple[list[tuple[int, VenueRow]], list[RowProblem]]:
    """Read venues from CSV with a header row (CSV_COLUMNS; `address` and `blackout_dates` may be empty).

    Returns every readable row with its line number and a problem per unreadable one, so one typo does
    not hold up the rest.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [column for column in CSV_COLUMNS if column not in (reader.fieldnames or [])]
    if missing:
        return [], [RowProblem(1, f"missing column(s): {', '.join(missing)}")]
    rows, problems = [], []
    for line, record in enumerate(reader, start=2):
        try:
            rows.append((line, _venue_row(record)))
        except ValueError as error:
            problems.append(RowProblem(line, str(error)))
    return rows, problems


def _venue_row(record: Mapping[str, str | None]) -> VenueRow:
    value = {key: (text or "").strip() for key, text in record.items() if key}
    if not re.fullmatch(r"\d{4}", value["municipality"]):
        raise ValueError(f"municipality must be a 4-digit number, not {value['municipality']!r}")
    if not value["name"]:
        raise ValueError("name is empty")
    kind = value["kind"].lower().replace(" ", "_").replace("-", "_")
    if kind not in VENUE_KINDS:
        raise ValueError(f"kind {value['kind']!r} is not one of {', '.join(VENUE_KINDS)}")
    try:
        capacity = int(value["capacity"])
    except ValueError:
        raise ValueError(f"capacity must be a whole number, not {value['capacity']!r}") from None
    if capacity < 1:
        raise ValueError("capacity must be at least 1")
    accessible = value["accessible"].lower()
    if accessible not in ("yes", "no", "true", "false", "ja", "nei", "1", "0"):
        raise ValueError(f"accessible must be yes or no, not {value['accessible']!r}")
    return VenueRow(
        municipality=value["municipality"],
        name=value["name"],
        address=value["address"],
        kind=kind,
        capacity=capacity,
        accessible=accessible in ("yes", "true", "ja", "1"),
        opening_hours=parse_hours_text(value["opening_hours"]),
        blackout_dates=parse_dates_text(value["blackout_dates"]),
    )


def _time_range(start: time, end: time) -> TimeRange:
    if end <= start:
        raise ValueError(f"a time span must end after it starts ({start:%H:%M}-{end:%H:%M})")
    return TimeRange(start, end)
