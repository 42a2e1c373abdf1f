"""`make audit`: fail when a locked dependency has a known vulnerability (pip-audit, PyPI's advisory feed).

    python tools/audit_dependencies.py requirements.lock requirements-dev.lock [--strict]

Every `name==version` of the hashed lock files is looked up with pip-audit's PyPI service (PyPA advisory
database, OSV ids). A vulnerable pin prints its advisories and fixed versions and the exit code is 1:
upgrade it in pyproject.toml and re-lock (see the Makefile's `lock` target).

Why a wrapper and not the `pip-audit` command: some package mirrors serve PyPI's per-project JSON but not
the per-release one, and pip-audit then skips every package ("not found on PyPI") and still passes. Here
such a package is looked up on its project page instead, whose advisories are those of its latest release:
exact when the pin is that release. A pin that still could not be checked is listed; `--strict` fails on
it (for CI on the real PyPI, where nothing should be skipped).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version
from pip_audit._service.interface import ResolvedDependency, ServiceError, VulnerabilityResult
from pip_audit._service.pypi import PyPIService

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", re.M)
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Finding:
    name: str
    version: str
    ids: tuple[str, ...]
    fixed_in: tuple[str, ...]


def pins(texts: Iterable[str]) -> dict[str, str]:
    """`name -> version` of every pinned line of the lock files (the hash lines are continuations)."""
    found: dict[str, str] = {}
    for text in texts:
        for name, version in PIN.findall(text):
            found[re.sub(r"[-_.]+", "-", name).lower()] = version
    return found


class LatestReleaseFallback(PyPIService):
    """pip-audit's PyPI service, falling back to the project page when the release page is missing."""

    def query(self, spec):  # type: ignore[override]
        answered, results = super().query(spec)
        if not answered.is_skipped():
            return answered, results
        try:
            response = self.session.get(
                f"https://pypi.org/pypi/{spec.canonical_name}/json", timeout=self.timeout
            )
            response.raise_for_status()
            page = response.json()
            if Version(page["info"]["version"]) != spec.version:
                return answered, []  # the pin is not the latest release: its advisories are not on this page
        except (OSError, ValueError, KeyError, InvalidVersion):
            return answered, []
        return spec, [_result(v) for v in page.get("vulnerabilities") or [] if v.get("withdrawn") is None]


def _result(advisory: dict) -> VulnerabilityResult:
    return VulnerabilityResult.create(
        ids=[advisory["id"], *advisory.get("aliases", [])],
        description=(advisory.get("summary") or advisory.get("details") or "N/A").replace("\n", " "),
        fix_versions=sorted(Version(v) for v in advisory.get("fixed_in") or []),
        published=None,
    )


def audit(locked: dict[str, str], service: PyPIService) -> tuple[list[Finding], list[str]]:
    """The vulnerable pins, and the pins that could not be checked."""
    findings: list[Finding] = []
    unchecked: list[str] = []
    for name, version in sorted(locked.items()):
        answered, results = service.query(ResolvedDependency(name=name, version=Version(version)))
        if answered.is_skipped():
            unchecked.append(f"{name}=={version}")
            continue
        seen: set[str] = set()
        for result in results:
            ids = {result.id, *result.aliases}
            if ids & seen:  # one advisory under two databases' ids (PYSEC and GHSA)
                continue
            seen |= ids
            findings.append(
                Finding(
                    name, version, (result.id, *sorted(result.aliases)), tuple(map(str, result.fix_versions))
                )
            )
    return findings, unchecked


def report(findings: list[Finding], unchecked: list[str], checked: int, strict: bool) -> int:
    for f in findings:
        fixed = ", ".join(f.fixed_in) or "no fixed release yet"
        print(f"VULNERABLE {f.name}=={f.version}: {' / '.join(f.ids)} (fixed in: {fixed})")
    if unchecked:
        print(f"could not be checked ({len(unchecked)}): {', '.join(unchecked)}")
    print(
        f"audited {checked - len(unchecked)} of {checked} locked packages: "
        f"{len(findings)} known vulnerabilit{'y' if len(findings) == 1 else 'ies'}"
    )
    return 1 if findings or (strict and unchecked) else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lock_files", nargs="+", type=Path)
    parser.add_argument("--strict", action="store_true", help="also fail when a pin could not be checked")
    args = parser.parse_args(argv)
    locked = pins(path.read_text() for path in args.lock_files)
    try:
        findings, unchecked = audit(locked, LatestReleaseFallback(timeout=TIMEOUT_SECONDS))
    except ServiceError as error:  # pip-audit's ConnectionError is one too
        print(f"could not read PyPI's advisory feed: {error}", file=sys.stderr)
        return 2
    return report(findings, unchecked, len(locked), args.strict)


if __name__ == "__main__":
    sys.exit(main())
