"""The four services share one shape (issue 19): what every service does the same way is checked here on
their source text, so a new route cannot quietly go back to the hand-written way."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SERVICES = Path(__file__).resolve().parents[2] / "services"
OUTBOX_INTERNALS = {"holding_rows", "write_held", "_held", "_insert_ignoring_repeats"}

# Files that still open their own `session.begin()`. Both work on a bare sessionmaker, not a Service, and
# stage no events: the notification sender's worker and the calendar's sample data for `make run`.
NOT_YET_ON_UNIT_OF_WORK = {"services/notifications/sender.py", "services/calendar/sample.py"}


def service_modules() -> list[tuple[str, ast.Module]]:
    return [
        (str(path.relative_to(SERVICES.parent)), ast.parse(path.read_text(), str(path)))
        for path in sorted(SERVICES.rglob("*.py"))
        if "migrations" not in path.parts
    ]


def test_no_service_imports_the_outbox_internals() -> None:
    # Held events are written by the unit of work (shared/unit_of_work.py) and by the shared consumer.
    found = []
    for name, tree in service_modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("messaging.outbox"):
                found.append(f"{name}: from {node.module} import ...")
            elif isinstance(node, (ast.Name, ast.Attribute, ast.alias)):
                word = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None) or node.name
                if word in OUTBOX_INTERNALS:
                    found.append(f"{name}: {word}")
    assert found == []


def test_no_service_wakes_the_relay_itself() -> None:
    # `service.transaction()` wakes it after a commit that staged events; consumers wake it after theirs.
    found = [
        f"{name}:{node.lineno}"
        for name, tree in service_modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr == "relay"
    ]
    assert found == []


def test_writing_transactions_are_units_of_work() -> None:
    # `async with service.sessions() as session, session.begin()` by hand is what `service.transaction()`
    # replaces; plain `service.sessions()` stays for reads.
    found = {
        name
        for name, tree in service_modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "begin"
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "session"
    }
    assert found <= NOT_YET_ON_UNIT_OF_WORK, sorted(found - NOT_YET_ON_UNIT_OF_WORK)
