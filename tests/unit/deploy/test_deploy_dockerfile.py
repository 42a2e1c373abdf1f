"""The container image, checked without a Docker engine: the Dockerfile's structure, hadolint, and the
entrypoints it names."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from shared.cli import build_parser
from shared.messaging.topology import SERVICES

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
HADOLINT = Path(sys.executable).parent / "hadolint"
BUILD_TOOLS = re.compile(r"\b(gcc|g\+\+|make|build-essential|clang|libpq-dev|python3-dev|[a-z0-9-]+-dev)\b")


def instructions(text: str) -> list[tuple[str, str]]:
    joined = re.sub(r"\\\n", " ", text)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def stages(text: str) -> list[list[tuple[str, str]]]:
    found: list[list[tuple[str, str]]] = []
    for instruction in instructions(text):
        if instruction[0] == "FROM":
            found.append([])
        if found:
            found[-1].append(instruction)
    return found


def test_the_image_is_built_in_two_stages_on_a_version_pinned_slim_python():
    text = DOCKERFILE.read_text()
    build, runtime = stages(text)
    assert build[0] == ("FROM", "${PYTHON_IMAGE} AS build")
    assert runtime[0] == ("FROM", "${PYTHON_IMAGE} AS runtime")
    default = re.search(r"^ARG PYTHON_IMAGE=(\S+)$", text, re.M).group(1)
    assert re.fullmatch(r"python:3\.11\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", default)


def test_the_build_stage_makes_a_wheel_of_the_project_and_the_final_stage_installs_it_offline():
    build, runtime = stages(DOCKERFILE.read_text())
    assert any(k == "RUN" and "pip wheel" in args for k, args in build)
    installs = [args for k, args in runtime if k == "RUN" and "pip install" in args]
    assert len(installs) == 1
    assert "--no-index" in installs[0] and "from=build" in installs[0]


def test_the_final_stage_has_no_build_tools_and_runs_as_a_non_root_user():
    _, runtime = stages(DOCKERFILE.read_text())
    runs = " ".join(args for k, args in runtime if k == "RUN")
    assert "apt-get install" not in runs or not BUILD_TOOLS.search(runs)
    users = [args for k, args in runtime if k == "USER"]
    assert users, "the final stage sets no USER"
    uid = users[-1].split(":")[0]
    assert uid not in ("root", "0")
    last_user = max(i for i, (k, _) in enumerate(runtime) if k == "USER")
    assert all(k not in ("RUN", "USER") for k, _ in runtime[last_user + 1 :])


def test_the_entrypoint_is_the_projects_console_script():
    _, runtime = stages(DOCKERFILE.read_text())
    entrypoint = next(args for k, args in runtime if k == "ENTRYPOINT")
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert json.loads(entrypoint) == ["selvhjelp"]
    assert scripts["selvhjelp"] == "shared.cli:main"


def test_the_commands_the_deployments_run_are_offered_by_the_command_line():
    parser = build_parser()
    for service in SERVICES:
        args = parser.parse_args([service, "run", "--host", "0.0.0.0", "--port", "8101"])
        assert args.host == "0.0.0.0"
    assert parser.parse_args(["migrate"]).func is not None


def test_the_build_context_keeps_what_the_dockerfile_copies():
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    kept = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    build, _ = stages(DOCKERFILE.read_text())
    copied = {part for k, args in build if k == "COPY" for part in args.split()[:-1]}
    assert copied <= kept
    assert "*" in ignore


def test_hadolint_finds_nothing_in_the_dockerfile():
    result = subprocess.run(
        [str(HADOLINT), "--no-color", str(DOCKERFILE)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_would_catch_an_unpinned_base_running_as_root(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nUSER root\nRUN apt-get install gcc\n")
    result = subprocess.run(
        [str(HADOLINT), "--no-color", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "DL3007" in result.stdout


# --- supply chain: the image installs the hashed runtime lock, never the development set ------------------
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.M)


def locked(name: str) -> dict[str, str]:
    return {canonical(n): v for n, v in PIN.findall((ROOT / name).read_text())}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(requirements: list[str]) -> dict[str, str]:
    return {canonical(n): v for n, v in (PIN.match(r).groups() for r in requirements)}


def test_the_build_stage_takes_every_package_from_the_runtime_lock_checked_against_its_hashes():
    build, runtime = stages(DOCKERFILE.read_text())
    copied = " ".join(args for k, args in build if k == "COPY")
    assert "requirements.lock" in copied.split()
    wheels = " ".join(args for k, args in build if k == "RUN")
    assert "pip wheel --require-hashes --wheel-dir /wheels -r requirements.lock" in wheels
    # The project's own wheel: no dependency resolved anew, its build backend from the locked wheels.
    assert "pip wheel --no-deps --no-index --find-links=/wheels" in wheels
    (install,) = [args for k, args in runtime if k == "RUN" and "pip install" in args]
    assert "--no-index" in install and "--no-deps" in install


def test_the_image_has_no_development_dependency():
    text = DOCKERFILE.read_text()
    assert "requirements-dev.lock" not in text and "[dev]" not in text and ".[" not in text
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    development = pinned(project["optional-dependencies"]["dev"])
    runtime = locked("requirements.lock")
    # Test servers and test tools stay out (what the runtime needs of them transitively may stay).
    for name in ("aiosmtpd", "pytest", "pip-audit", "pip-tools", "testcontainers", "playwright"):
        assert name in development and name not in runtime, name


def test_the_lock_files_have_a_hash_for_every_pin_and_name_no_package_index():
    for name in ("requirements.lock", "requirements-dev.lock"):
        text = (ROOT / name).read_text()
        entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1].strip())
        assert entries and all("--hash=sha256:" in entry for entry in entries if "==" in entry), name
        assert "--index-url" not in text and "--extra-index-url" not in text and "--find-links" not in text


def test_the_lock_files_agree_with_the_pins_of_pyproject():
    """A pin changed in pyproject.toml without `make lock` fails here, not in a build."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    runtime, development = (
        pinned(project["project"]["dependencies"]),
        pinned(project["project"]["optional-dependencies"]["dev"]),
    )
    backend = pinned(project["build-system"]["requires"])
    assert runtime.items() | backend.items() <= locked("requirements.lock").items()
    assert (runtime | development | backend).items() <= locked("requirements-dev.lock").items()


def test_the_command_line_and_the_services_import_without_the_development_dependencies():
    # As in the image: aiosmtpd (the local SMTP sink's server) is not installed there.
    probe = (
        "import sys; sys.modules['aiosmtpd'] = None\n"
        "from shared.cli import build_parser\n"
        "build_parser().parse_args(['notifications', 'sinks'])\n"
        "import services.notifications.app, services.notifications.sinks as sinks, asyncio\n"
        "try:\n"
        "    asyncio.run(sinks.MailSink(port=0).start())\n"
        "except RuntimeError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "needs aiosmtpd, a development dependency" in result.stdout
