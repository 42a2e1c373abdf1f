"""Complementary suppression of the statistics (issue 21): no "<5" can be worked out from its column's
shown cells and total. Pure: no servers."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime

import pytest

from services.grouping.statistics import COMPLEMENT, HIDDEN, PersonFact, aggregate, shown_table
from services.grouping.suppression import COMPLEMENTARY, PRIMARY, SHOW, protected, suppress_column

pytestmark = pytest.mark.unit
AS_OF = datetime(2026, 12, 31, tzinfo=UTC)


def test_nothing_small_hides_nothing():
    assert suppress_column([5, 12, 40], 57) == ([SHOW, SHOW, SHOW], SHOW)


def test_one_small_cell_takes_the_smallest_other_with_it():
    # 3 = 50 - 40 - 7 if only the 3 were hidden; with the 7 hidden too, the 3 is anything from 0 to 4.
    assert suppress_column([40, 3, 7, 9], 59) == ([SHOW, PRIMARY, COMPLEMENTARY, SHOW], SHOW)


def test_two_small_cells_protect_each_other_unless_their_sum_pins_them():
    assert suppress_column([2, 3, 20], 25) == ([PRIMARY, PRIMARY, SHOW], SHOW)  # each 1..4
    # 4 + 4: the hidden sum 8 leaves each exactly 4; 0 + 0 leaves each 0.
    assert suppress_column([4, 4, 20], 28) == ([PRIMARY, PRIMARY, COMPLEMENTARY], SHOW)
    assert suppress_column([0, 0, 20, 30], 50) == ([PRIMARY, PRIMARY, COMPLEMENTARY, SHOW], SHOW)


def test_a_complementary_cell_that_would_pin_the_small_one_brings_another():
    # 0 beside a complementary 5: the hidden sum 5 leaves the small one only 0.
    assert suppress_column([0, 5, 6, 30], 41) == ([PRIMARY, COMPLEMENTARY, COMPLEMENTARY, SHOW], SHOW)


def test_the_total_goes_when_nothing_else_is_left_to_hide():
    assert suppress_column([4, 4], 8) == ([PRIMARY, PRIMARY], COMPLEMENTARY)
    assert suppress_column([3], 3) == ([PRIMARY], PRIMARY)  # a small total is hidden itself


def _values_left_possible(values, total, marks, total_mark, cell):
    """Every value the cell can have given what is shown: brute force over the hidden cells."""
    hidden = [i for i, mark in enumerate(marks) if mark != SHOW]
    top = max(total, 5) + 5
    ranges = [range(0, 5) if marks[i] == PRIMARY else range(5, top + 1) for i in hidden]
    shown_sum = sum(v for v, m in zip(values, marks, strict=True) if m == SHOW)
    possible = set()
    for guess in itertools.product(*ranges):
        whole = shown_sum + sum(guess)
        if total_mark == SHOW and whole != total:
            continue
        if total_mark == PRIMARY and whole >= 5:
            continue
        if total_mark == COMPLEMENTARY and whole < 5:
            continue
        possible.add(guess[hidden.index(cell)])
    return possible


def test_no_small_count_can_be_worked_out_in_any_of_many_random_columns():
    rng = random.Random(21)
    for _ in range(400):
        values = [rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 9, 15, 30]) for _ in range(rng.randint(1, 4))]
        total = sum(values)
        marks, total_mark = suppress_column(values, total)
        assert [m == PRIMARY for m in marks] == [v < 5 for v in values]  # every small one hidden
        for cell, mark in enumerate(marks):
            if mark == PRIMARY and total_mark == SHOW:
                possible = _values_left_possible(values, total, marks, total_mark, cell)
                assert values[cell] in possible and len(possible) > 1, (values, marks)
        assert protected(values, total, marks) or total_mark != SHOW


def test_the_published_table_shows_complementary_cells_as_a_colon():
    def person(municipality: str) -> PersonFact:
        return PersonFact("nord", municipality, "grief", datetime(2026, 3, 1, tzinfo=UTC))

    people = [person("1804")] * 30 + [person("1806")] * 3 + [person("1833")] * 7
    rows, total = aggregate(people, [], "municipality", as_of=AS_OF)
    shown_rows, shown_total = shown_table(rows, total)
    by_key = {row.key: values for row, values in zip(rows, shown_rows, strict=True)}
    assert by_key["1804"]["registrations"] == 30
    assert by_key["1806"]["registrations"] == HIDDEN
    assert by_key["1833"]["registrations"] == COMPLEMENT  # else 40 - 30 - 7 gives the 3 away
    assert shown_total["registrations"] == 40
