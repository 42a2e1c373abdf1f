"""`make audit`'s decisions, on fixed advisories (the live feed is what `make audit` itself reads)."""

from __future__ import annotations

import pytest
from packaging.version import Version
from pip_audit._service.interface import SkippedDependency, VulnerabilityResult

from tools.audit_dependencies import audit, pins, report

pytestmark = pytest.mark.unit

LOCK = """\
ecdsa==0.19.2 \\
    --hash=sha256:aa
    # via selvhjelp
Python_JSON.Logger==4.2.0 \\
    --hash=sha256:bb
"""


class Feed:
    """Advisories per package, as pip-audit's service answers them; `unknown` packages are skipped."""

    def __init__(self, advisories: dict[str, list[VulnerabilityResult]], unknown=()) -> None:
        self.advisories, self.unknown = advisories, set(unknown)

    def query(self, spec):
        if spec.name in self.unknown:
            return SkippedDependency(name=spec.name, skip_reason="not found"), []
        return spec, self.advisories.get(spec.name, [])


def advisory(*ids: str, fixed: str | None = None) -> VulnerabilityResult:
    return VulnerabilityResult.create(
        ids=list(ids), description="d", fix_versions=[Version(fixed)] if fixed else [], published=None
    )


def test_every_pin_of_a_hashed_lock_file_is_read_with_its_canonical_name():
    assert pins([LOCK]) == {"ecdsa": "0.19.2", "python-json-logger": "4.2.0"}


def test_a_known_vulnerability_fails_the_audit_once_however_many_databases_name_it(capsys):
    feed = Feed({"ecdsa": [advisory("PYSEC-1", "GHSA-x"), advisory("GHSA-x", "PYSEC-1"), advisory("CVE-2")]})
    findings, unchecked = audit(pins([LOCK]), feed)
    assert [f.ids[0] for f in findings] == ["PYSEC-1", "CVE-2"] and unchecked == []
    assert report(findings, unchecked, 2, strict=False) == 1
    assert "VULNERABLE ecdsa==0.19.2: PYSEC-1 / GHSA-x" in capsys.readouterr().out


def test_a_clean_lock_passes_and_an_unchecked_pin_fails_only_when_strict(capsys):
    findings, unchecked = audit(pins([LOCK]), Feed({}, unknown={"ecdsa"}))
    assert findings == [] and unchecked == ["ecdsa==0.19.2"]
    assert report(findings, unchecked, 2, strict=False) == 0
    assert report(findings, unchecked, 2, strict=True) == 1
    assert "could not be checked (1): ecdsa==0.19.2" in capsys.readouterr().out
