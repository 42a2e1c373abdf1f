"""The four services share one shape (issue 19): what every service does the same way is checked here on
their source text, so a new route cannot quietly go back to the hand-written way."""

from __future__ import annotations

import ast
import re
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


# Every service: its factory, pure rules, one-line handlers, reads shared by API and pages, its tables and
# its own migrations.
AGREED_MODULES = ("app.py", "domain.py", "handlers.py", "models.py", "queries.py", "migrations/env.py")
SERVICE_NAMES = ("registration", "grouping", "calendar", "notifications")

# Modules allowed over about 400 lines, each with its reason. Everything else is split when it grows.
LONG_MODULES = {
    # Text catalogues: one entry per line in three languages, nothing to split by concern.
    "services/registration/texts.py": "text catalogue (nb, nn, en)",
    "services/calendar/staff_texts.py": "text catalogue (nb, nn, en)",
}
MAX_LINES = 400


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_each_service_has_the_agreed_modules(service: str) -> None:
    missing = [m for m in AGREED_MODULES if not (SERVICES / service / m).exists()]
    assert missing == []


def test_no_service_imports_another() -> None:
    # Services talk only over RabbitMQ; what they share lives in shared/.
    found = []
    for name, tree in service_modules():
        own = name.split("/")[1]
        for node in ast.walk(tree):
            modules = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            for module in modules:
                parts = module.split(".")
                if parts[0] == "services" and len(parts) > 1 and parts[1] != own:
                    found.append(f"{name}: {module}")
    assert found == []


def test_no_module_is_longer_than_a_newcomer_can_hold_in_their_head() -> None:
    root = SERVICES.parent
    too_long = {
        str(path.relative_to(root)): len(path.read_text().splitlines())
        for folder in ("services", "shared", "bench")
        for path in (root / folder).rglob("*.py")
        if "migrations" not in path.parts
    }
    too_long = {
        name: lines for name, lines in too_long.items() if lines > MAX_LINES and name not in LONG_MODULES
    }
    assert too_long == {}


def _tree(service: str, module: str) -> ast.Module:
    path = SERVICES / service / module
    return ast.parse(path.read_text(), str(path))


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_each_app_defines_its_service_without_monkeypatching(service: str) -> None:
    # Per-service settings and workers are typed attributes of a `Service` subclass, not attributes set
    # on the shared `Service` afterwards (which needed `# type: ignore[attr-defined]`) or on `app.state`.
    tree = _tree(service, "app.py")
    subclasses = [
        node.name
        for node in tree.body
        if isinstance(node, ast.ClassDef)
        and any(isinstance(base, ast.Name) and base.id == "Service" for base in node.bases)
    ]
    assert subclasses, f"services/{service}/app.py defines no Service subclass"
    assert "attr-defined" not in (SERVICES / service / "app.py").read_text()
    state_writes = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Store)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "state"
    ]
    assert state_writes == []


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_make_handlers_takes_the_service_and_each_handler_is_one_call(service: str) -> None:
    tree = _tree(service, "handlers.py")
    [make_handlers] = [
        node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "make_handlers"
    ]
    parameters = make_handlers.args
    assert [a.arg for a in parameters.posonlyargs + parameters.args + parameters.kwonlyargs] == ["service"]
    assert parameters.vararg is None and parameters.kwarg is None
    handlers = [node for node in make_handlers.body if isinstance(node, ast.AsyncFunctionDef)]
    assert handlers
    long_handlers = {}
    for handler in handlers:
        body = handler.body
        if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
            body = body[1:]  # a docstring
        if len(body) != 1:
            long_handlers[handler.name] = len(body)
    assert long_handlers == {}


# --- templates and words (issue 19, items 4 and 5) ----------------------------------------------
# One template layout: participants' pages, the staff console, and notifications' messages per language.
TEMPLATE_FOLDERS = {
    "registration": {"pages", "staff"},
    "grouping": {"pages", "staff"},
    "calendar": {"pages", "staff"},
    "notifications": {"pages", "staff", "messages"},
}


@pytest.mark.parametrize("service", SERVICE_NAMES)
def test_each_service_keeps_its_templates_in_the_agreed_folders(service: str) -> None:
    folder = SERVICES / service
    templates = folder / "templates"
    assert templates.is_dir()
    assert {p.name for p in templates.iterdir() if p.is_dir()} == TEMPLATE_FOLDERS[service]
    assert [p.name for p in templates.iterdir() if p.is_file()] == []  # every template in a subfolder
    # No template folder beside `templates/` (the old `staff_templates/` and notifications' `pages/`).
    stray = [p.name for p in folder.iterdir() if p.is_dir() and any(p.rglob("*.html"))]
    assert stray == ["templates"]
    if service == "notifications":
        languages = {p.name for p in (templates / "messages").iterdir() if p.is_dir()}
        assert languages == {"nb", "nn", "en"}


WEEKDAY_WORDS = re.compile(
    r"\b(mandag|tirsdag|onsdag|torsdag|fredag|lørdag|søndag|måndag|tysdag|laurdag|sundag"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday)",
    re.IGNORECASE,
)


def _string_literals(tree: ast.Module) -> list[ast.Constant]:
    """The module's string constants, without docstrings and other bare strings (comments in effect)."""
    bare = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)}
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in bare
    ]


def test_only_the_vocabulary_names_the_weekdays() -> None:
    # Weekday names in nb, nn and en live in shared/vocabulary.py; pages, messages and reasons take them
    # from there (a capitalised form label through `as_labels`). No catalogue needs one in a sentence yet:
    # when one does, add it here with its reason.
    root = SERVICES.parent
    found = []
    for folder in ("services", "shared", "bench"):
        for path in sorted((root / folder).rglob("*.py")):
            name = str(path.relative_to(root))
            if name == "shared/vocabulary.py":
                continue
            for node in _string_literals(ast.parse(path.read_text(), name)):
                if WEEKDAY_WORDS.search(node.value):
                    found.append(f"{name}:{node.lineno}: {node.value[:60]!r}")
        for path in sorted((root / folder).rglob("templates/**/*.*")):
            if WEEKDAY_WORDS.search(path.read_text()):
                found.append(str(path.relative_to(root)))
    assert found == []
