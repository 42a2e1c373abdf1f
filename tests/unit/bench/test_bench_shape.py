"""The shape of bench/ (issue 19): the benchmarks stand on their own, in modules small enough to read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

BENCH = Path(__file__).resolve().parents[3] / "bench"
MODULES = sorted(BENCH.glob("*.py"))
MAX_LINES = 400


def imported_modules(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


def test_there_are_bench_modules_to_check():
    assert BENCH / "speed.py" in MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_no_bench_module_imports_from_the_tests(path: Path):
    # What the benchmarks share with the tests lives outside tests/ (e.g. shared/devsystem.py).
    from_tests = sorted(m for m in imported_modules(path) if m == "tests" or m.startswith("tests."))
    assert not from_tests, f"{path.name} imports {from_tests}"


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_no_bench_module_is_over_400_lines(path: Path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path.name} has {lines} lines"
