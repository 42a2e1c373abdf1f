"""The district's statistics: cohorts per dimension, waiting time, groups still meeting, and small counts
hidden as "<5" (services/grouping/statistics.py)."""

from datetime import UTC, datetime, timedelta

import pytest

from services.grouping.statistics import (
    HIDDEN,
    GroupFact,
    PersonFact,
    add_months,
    aggregate,
    group_topic,
    label,
    percentile,
    shown,
    still_running,
)

pytestmark = pytest.mark.unit

AS_OF = datetime(2026, 12, 3, tzinfo=UTC)
JAN = datetime(2026, 1, 10, tzinfo=UTC)


def people(count, municipality="1804", *, placed_after_days=None, withdrew=False, when=JAN):
    placed = when + timedelta(days=placed_after_days) if placed_after_days is not None else None
    return [PersonFact("nord", municipality, "grief", when, placed, withdrew) for _ in range(count)]


def test_rows_per_municipality_and_a_total_that_adds_up():
    facts = people(6, placed_after_days=10) + people(3, "1840") + people(2, withdrew=True)
    rows, total = aggregate(facts, [], "municipality", as_of=AS_OF)
    assert [(r.key, r.registrations) for r in rows] == [("1804", 8), ("1840", 3)]
    assert total.registrations == 11 and total.placed == 6 and total.withdrawals == 2
    assert total.wait_median == 10.0 and total.wait_p90 == 10.0


def test_counts_under_five_and_waits_of_few_people_are_text():
    rows, total = aggregate(people(3, placed_after_days=4) + people(5), [], "county", as_of=AS_OF)
    values = shown(rows[0])
    assert values["registrations"] == 8
    assert values["placed"] == HIDDEN and values["wait_median"] == HIDDEN and values["withdrawals"] == HIDDEN
    assert all(isinstance(v, str) or v >= 5 for v in values.values())


def test_people_count_in_the_quarter_they_registered_and_groups_in_the_quarter_they_formed():
    april = datetime(2026, 4, 2, tzinfo=UTC)
    groups = [GroupFact("nord", "1804", "grief", april, april + timedelta(days=20))]
    rows, _ = aggregate(people(5) + people(5, when=april), groups, "quarter", as_of=AS_OF)
    assert [(r.key, r.registrations, r.groups_formed) for r in rows] == [("2026-Q1", 5, 0), ("2026-Q2", 5, 1)]
    assert label("quarter", "2026-Q2", "nb") == "2026 K2" and label("quarter", "2026-Q2", "en") == "2026 Q2"


def test_a_group_counts_as_still_meeting_only_once_old_enough_and_not_closed_before():
    start = datetime(2026, 5, 1, tzinfo=UTC)
    open_group = GroupFact("nord", "1804", "grief", start, start)
    closed_early = GroupFact("nord", "1804", "grief", start, start, closed_at=start + timedelta(days=40))
    assert still_running(open_group, 3, AS_OF) is True and still_running(open_group, 6, AS_OF) is True
    assert still_running(closed_early, 3, AS_OF) is False
    assert still_running(open_group, 6, datetime(2026, 9, 1, tzinfo=UTC)) is None  # too young to tell
    assert still_running(GroupFact("nord", "1804", "grief", start), 3, AS_OF) is None  # never started


def test_helpers():
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9
    assert add_months(datetime(2026, 11, 30, tzinfo=UTC), 3) == datetime(2027, 2, 28, tzinfo=UTC)
    assert group_topic(["grief", "grief"]) == "grief" and group_topic(["grief", "anxiety"]) == "across"
    assert label("topic", "across", "en") == "Across topics"
    assert label("county", "18", "nb") == "Nordland"


def test_an_unknown_dimension_is_refused():
    with pytest.raises(ValueError, match="unknown dimension"):
        aggregate([], [], "age", as_of=AS_OF)
