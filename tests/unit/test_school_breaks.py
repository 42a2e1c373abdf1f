"""The shipped school breaks (shared/reference/school_breaks.csv): every county, each break once per
school year, inside its school year, and every row with a source."""

from collections import Counter
from datetime import date

import pytest

from shared.reference import all_municipalities
from shared.reference.school_breaks import BREAK_KINDS, school_breaks, school_year_of, shipped_breaks

pytestmark = pytest.mark.unit


def test_every_county_has_each_break_once_in_both_school_years():
    counties = {m.county_number for m in all_municipalities()}
    seen = Counter((b.county, b.school_year, b.kind) for b in school_breaks())
    for county in counties:
        for year in ("2026-27", "2027-28"):
            for kind in BREAK_KINDS:
                assert seen[(county, year, kind)] == 1, (county, year, kind)


def test_each_break_lies_in_its_school_year_and_names_its_source():
    for b in school_breaks():
        assert b.first <= b.last and (b.last - b.first).days < 21, b
        assert school_year_of(b.first) == b.school_year == school_year_of(b.last), b
        assert b.source and (b.estimated or b.checked_against), b


def test_a_district_gets_the_breaks_of_its_counties():
    nord = shipped_breaks("nord")
    assert {b.county for b in nord} == {"18", "55", "56"}
    assert school_year_of(date(2027, 2, 22)) == "2026-27" and school_year_of(date(2026, 8, 1)) == "2026-27"
