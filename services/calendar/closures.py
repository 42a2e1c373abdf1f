"""Days a group does not meet although its pattern says so: Norwegian public holidays and regional breaks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache

import holidays

from .rules import DEFAULT_RULES, CalendarRules, DateRange


@lru_cache(maxsize=64)
def _holidays_of_year(country: str, year: int) -> dict[date, str]:
    # Building the table is the slow part of the holidays package; one year at a time keeps the cache small.
    return dict(holidays.country_holidays(country, years=year).items())


def public_holiday(day: date, rules: CalendarRules = DEFAULT_RULES) -> str | None:
    """Name of the public holiday on `day` (e.g. `Easter Monday`), or None."""
    return _holidays_of_year(rules.holiday_country, day.year).get(day)


def closure_reason(
    day: date, breaks: Iterable[DateRange] = (), rules: CalendarRules = DEFAULT_RULES
) -> str | None:
    """Why no meeting takes place on `day` by the calendar (holiday or break), or None if it may."""
    holiday = public_holiday(day, rules)
    if holiday:
        return f"public holiday ({holiday})"
    for period in breaks:
        if day in period:
            return f"break ({period.name})" if period.name else "break"
    return None
