"""The one table `make bench` prints (bench/report.py, for bench/speed.py): ratios to the limits of the same run, and a verdict
per target that never calls an unmeasured figure met, or a plain "NO"."""

from __future__ import annotations

import sys
from argparse import Namespace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
from report import print_table  # noqa: E402

pytestmark = pytest.mark.unit

ARGS = Namespace(
    concurrency=16, registrations=1000, paced_rate=50.0, paced_seconds=30.0, versions=["abc1234"]
)


def line(output: str, start: str) -> list[str]:
    found = next(row for row in output.splitlines() if row.startswith(f"| {start}"))
    return [cell.strip() for cell in found.strip("|").split("|")]


def test_a_ratio_is_the_median_against_the_limit_of_the_same_runs_and_is_judged_by_its_target(capsys):
    met = print_table({"http": [500.0, 600.0, 700.0], "dbC": [1000.0, 1000.0, 1000.0]}, ARGS)
    row = line(capsys.readouterr().out, "intake HTTP")
    assert row[1:] == ["600", "500, 600, 700", "db commit ×16", "0.60", "≥ 0.5", "yes"]
    assert not met  # the other targets were not measured


def test_a_target_not_measured_is_not_met_and_says_so(capsys):
    assert not print_table({"rss_grouping": [180.0]}, ARGS)
    out = capsys.readouterr().out
    assert line(out, "peak RSS grouping")[-1] == "yes"
    assert line(out, "peak RSS calendar")[-1] == "not run"
    assert line(out, "intake HTTP")[-1] == "not run"
