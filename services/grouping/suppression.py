"""Which cells of a statistics table may be shown (issue 21): a count under 5 is hidden ("<5", primary
suppression), and so is, where needed, a larger one beside it (":", complementary suppression), so that no
hidden count can be worked out from the rest of its column and the column's total.

In the report each count column adds up to its total (every person and group counts in exactly one row);
the columns are different measures and add up to nothing across a row. So each column is one equation,
total = the sum of its rows, and it is protected when no small hidden cell is pinned by it to one value:

- one hidden cell alone is its total less the cells shown;
- several small ones can still be pinned, by their known sum (two hidden cells summing to 8 are both 4,
  two summing to 0 both 0);
- a complementary cell is 5 or more with no upper bound, which leaves the small ones a range unless the
  sum leaves them nothing (a sum of exactly 5 with one small cell beside a complementary 5: the small is 0).

While a column is not protected, the smallest count still shown in it is hidden as complementary (the
least information lost); when none is left, the total is. Pure: no I/O, unit-tested on its own.
"""

from __future__ import annotations

from collections.abc import Sequence

SMALL = 5
SHOW, PRIMARY, COMPLEMENTARY = "show", "primary", "complementary"


def _range_of(cell: int, hidden: list[int], marks: list[str], rest: int, small: int) -> tuple[float, float]:
    """What a hidden small cell can be, knowing what it shares the column's hidden sum `rest` with."""
    others = [j for j in hidden if j != cell]
    others_low = sum(small if marks[j] == COMPLEMENTARY else 0 for j in others)
    others_high = sum(small - 1 if marks[j] == PRIMARY else float("inf") for j in others)
    return max(0, rest - others_high), min(small - 1, rest - others_low)


def protected(values: Sequence[int], total: int, marks: Sequence[str], small: int = SMALL) -> bool:
    """Whether no hidden small cell of the column can be narrowed to one value from the shown cells and
    the shown total."""
    hidden = [i for i, mark in enumerate(marks) if mark != SHOW]
    if not any(marks[i] == PRIMARY for i in hidden):
        return True
    if len(hidden) == 1:
        return False
    rest = total - sum(value for value, mark in zip(values, marks, strict=True) if mark == SHOW)
    for cell in hidden:
        if marks[cell] == PRIMARY:
            low, high = _range_of(cell, hidden, list(marks), rest, small)
            if high <= low:
                return False
    return True


def suppress_column(values: Sequence[int], total: int, small: int = SMALL) -> tuple[list[str], str]:
    """The marks of a column's cells and of its total: SHOW, PRIMARY (under `small`) or COMPLEMENTARY."""
    marks = [PRIMARY if value < small else SHOW for value in values]
    if total < small:  # every row is at most the total: all hidden already, and nothing adds up to them
        return marks, PRIMARY
    while not protected(values, total, marks, small):
        still_shown = [i for i, mark in enumerate(marks) if mark == SHOW]
        if not still_shown:
            return marks, COMPLEMENTARY  # the total goes: the hidden cells' sum is then unknown
        marks[min(still_shown, key=lambda i: (values[i], i))] = COMPLEMENTARY
    return marks, SHOW
