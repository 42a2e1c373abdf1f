"""Weekly hours as staff write them, and the CSV import of venues: what is read, and why a row is not."""

from __future__ import annotations

from datetime import date, time

import pytest

from services.calendar.registry import (
    hours_from_json,
    hours_to_json,
    parse_dates_text,
    parse_hours_text,
    parse_venue_csv,
)
from services.calendar.venues import TimeRange

pytestmark = pytest.mark.unit

HEADER = "municipality,name,address,kind,capacity,accessible,opening_hours,blackout_dates\n"


def test_day_ranges_and_several_spans_a_day_are_read() -> None:
    hours = parse_hours_text("mon-wed 10:00-14:00; mon 17:00-21:00; sat 9:30-15:00")
    assert hours[0] == (TimeRange(time(10), time(14)), TimeRange(time(17), time(21)))
    assert hours[1] == hours[2] == (TimeRange(time(10), time(14)),)
    assert hours[5] == (TimeRange(time(9, 30), time(15)),)
    assert 3 not in hours and 6 not in hours


def test_hours_survive_the_round_trip_through_json() -> None:
    hours = parse_hours_text("tue 17:00-21:00; thu 10:00-12:00")
    stored = hours_to_json(hours)
    assert stored == {"tue": [["17:00", "21:00"]], "thu": [["10:00", "12:00"]]}
    assert hours_from_json(stored) == hours


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("tuesday 17:00-21:00", "cannot read"),
        ("tue 21:00-17:00", "end after"),
        ("fri-mon 10:00-12:00", "backwards"),
    ],
)
def test_unreadable_hours_say_what_is_wrong(text: str, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        parse_hours_text(text)


def test_blackout_dates_may_be_separated_by_spaces_commas_or_semicolons() -> None:
    assert parse_dates_text("2027-05-17, 2027-12-24;2027-12-31 ") == {
        date(2027, 5, 17),
        date(2027, 12, 24),
        date(2027, 12, 31),
    }
    assert parse_dates_text("") == frozenset()


def test_csv_rows_are_read_and_a_bad_row_does_not_hold_up_the_rest() -> None:
    text = (
        HEADER
        + '1804,Stormyra bibliotek,Stormyrveien 1,library,12,yes,"mon-thu 10:00-21:00; sat 10:00-15:00",2027-05-17\n'
        + "1804,Kirkestua,,church,0,no,tue 17:00-21:00,\n"
        + "1804,Frivilligsentralen,,Volunteer centre,10,ja,tue-wed 16:00-22:00,\n"
        + "18O4,Typo,,school,10,yes,,\n"
    )
    rows, problems = parse_venue_csv(text)
    assert [(line, row.name) for line, row in rows] == [(2, "Stormyra bibliotek"), (4, "Frivilligsentralen")]
    library = rows[0][1]
    assert library.capacity == 12 and library.accessible and library.kind == "library"
    assert library.blackout_dates == {date(2027, 5, 17)}
    assert library.opening_hours[5] == (TimeRange(time(10), time(15)),)
    assert rows[1][1].kind == "volunteer_centre" and rows[1][1].accessible
    assert [(problem.line, problem.message) for problem in problems] == [
        (3, "capacity must be at least 1"),
        (5, "municipality must be a 4-digit number, not '18O4'"),
    ]


def test_a_csv_without_the_expected_columns_is_refused_as_a_whole() -> None:
    rows, problems = parse_venue_csv("name,capacity\nBibliotek,10\n")
    assert rows == []
    assert problems[0].line == 1 and "municipality" in problems[0].message
