"""Today is the date in Norway: between midnight and 01:00 (02:00 in summer) UTC is still on yesterday."""

from datetime import UTC, date, datetime

import pytest

from services.grouping.app import today as grouping_today
from shared.clock import norway_today

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (datetime(2027, 12, 31, 23, 30, tzinfo=UTC), date(2028, 1, 1)),  # 00:30 on New Year's Day in Oslo
        (datetime(2027, 5, 16, 22, 30, tzinfo=UTC), date(2027, 5, 17)),  # 00:30 in summer time (UTC+2)
        (datetime(2027, 3, 28, 0, 30, tzinfo=UTC), date(2027, 3, 28)),  # 01:30 on the night clocks go forward
        (datetime(2027, 2, 1, 12, 0, tzinfo=UTC), date(2027, 2, 1)),
    ],
)
def test_today_is_the_norwegian_date(instant, expected):
    assert norway_today(instant) == expected
    # Grouping counts ages and waiting days from it (it counted from the UTC date before).
    assert grouping_today(instant) == expected
