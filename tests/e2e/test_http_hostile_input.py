"""Hostile HTTP input against the running services: fuzzing from their OpenAPI schemas (schemathesis)
and every staff endpoint × {no token, expired token, forged token, wrong role}."""

from __future__ import annotations

import asyncio
import re
import uuid
from pathlib import Path

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from shared.auth import issue_staff_token
from shared.keys import Keyring
from shared.messaging.topology import SERVICES
from tests.support.system import running_system

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FUZZ_EXAMPLES = 25


@pytest.fixture
def system(settings, tmp_path: Path):
    with running_system(settings, tmp_path / "logs") as running:
        yield running


def _fuzz(base_url: str, token: str) -> list[str]:
    schema = schemathesis.openapi.from_url(f"{base_url}/openapi.json")
    failures: list[str] = []
    for result in schema.get_all_operations():
        _fuzz_operation(result.ok(), base_url, token, failures)
    return failures


def _fuzz_operation(operation, base_url: str, token: str, failures: list[str]) -> None:
    headers = {"Authorization": f"Bearer {token}"} if "/staff/" in operation.path else None

    @hypothesis.settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        derandomize=True,
    )
    @hypothesis.given(case=operation.as_strategy())
    def check(case):
        response = case.call(base_url=base_url, headers=headers, timeout=20)
        case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    try:
        check()
    except Exception as error:  # record and go on: every operation gets fuzzed
        failures.append(f"{operation.method.upper()} {operation.path}: {str(error)[:400]}")


async def test_fuzzing_every_http_operation_gives_no_server_error_and_no_schema_violation(system, settings):
    token = issue_staff_token(settings.keyring(), "fuzzer", "nord", ["staff"])
    for service in SERVICES:
        failures = await asyncio.to_thread(_fuzz, system.url(service), token)
        assert failures == [], f"{service}: {failures[:5]}"


def _staff_operations(spec: dict) -> list[tuple[str, str]]:
    return [
        (method, path)
        for path, operations in spec["paths"].items()
        if path.startswith("/api/v1/staff")
        for method in operations
    ]


async def test_every_staff_endpoint_refuses_missing_expired_forged_tokens_and_wrong_roles(system, settings):
    key = settings.keyring()
    cases = {
        "no token": (None, 401),
        "expired": (issue_staff_token(key, "ane", "nord", ["staff"], lifetime=-60), 401),
        "forged": (issue_staff_token(Keyring.single("x" * 40), "ane", "nord", ["staff"]), 401),
        "wrong role": (issue_staff_token(key, "ane", "nord", ["starter"]), 403),
    }
    checked = 0
    async with httpx.AsyncClient(timeout=20) as client:
        for service in SERVICES:
            spec = (await client.get(f"{system.url(service)}/openapi.json")).json()
            for method, path in _staff_operations(spec):
                url = _fill_ids(path, system.url(service))
                for name, (token, expected) in cases.items():
                    headers = {"Authorization": f"Bearer {token}"} if token else {}
                    response = await client.request(method, url, headers=headers, json={})
                    assert response.status_code == expected, (
                        f"{service} {method} {path} with {name}: {response.status_code}"
                    )
                    checked += 1
    assert checked >= 4 * 8  # every service has staff endpoints; the matrix really ran


def _fill_ids(path: str, base: str) -> str:
    return base + re.sub(r"\{[^}]+\}", str(uuid.uuid4()), path)
