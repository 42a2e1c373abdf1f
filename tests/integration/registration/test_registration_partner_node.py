"""The Node example of docs/partners.md (examples/partner-node, the `amqplib` npm package) works: run as a
partner system against the real broker and registration service, it gets its answers on its own queue."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from services.registration.app import create_app
from shared.partners import Partner
from tests.support import running
from tests.support.partners import create_partner_users, delete_partner_users, unique_partner_names

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        shutil.which("node") is None or shutil.which("npm") is None, reason="needs node and npm"
    ),
]

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "partner-node"


@pytest.fixture(scope="module")
def node_example() -> Path:
    if not (EXAMPLE / "node_modules" / "amqplib").exists():
        subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--quiet"], cwd=EXAMPLE, check=True, timeout=300
        )
    return EXAMPLE


@pytest.fixture
async def kommune(servers, settings):
    [name] = unique_partner_names(1)
    [user] = await create_partner_users(servers, settings.rabbitmq_url, [name])
    app = create_app(settings.model_copy(update={"partners": [Partner(name=name)]}))
    try:
        async with running(app.state.service):
            yield user
    finally:
        await delete_partner_users(servers, [name])


async def run_example(
    example: Path, amqp_url: str, registration: dict, tmp_path: Path
) -> tuple[int, list[dict]]:
    body = tmp_path / "registration.json"
    body.write_text(json.dumps(registration))
    process = await asyncio.create_subprocess_exec(
        "node",
        "submit.mjs",
        str(body),
        cwd=example,
        env={
            "PATH": shutil.which("node").rsplit("/", 1)[0],
            "AMQP_URL": amqp_url,
            "ANSWER_TIMEOUT_MS": "30000",
        },
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert not err, err.decode()
    return process.returncode, [json.loads(line) for line in out.decode().splitlines()]


async def test_the_node_example_submits_and_reads_its_acceptance_and_its_rejection(
    node_example, kommune, tmp_path
):
    registration = json.loads((node_example / "registration.json").read_text())

    code, answers = await run_example(node_example, kommune.amqp_url, registration, tmp_path)
    assert code == 0
    assert answers[-1]["event_type"] == "registration.received.v1"
    assert answers[-1]["data"]["external_ref"] == registration["external_ref"]

    code, answers = await run_example(
        node_example,
        kommune.amqp_url,
        {**registration, "external_ref": "sak-2", "municipality": "0000"},
        tmp_path,
    )
    assert code == 2
    assert answers[-1]["event_type"] == "registration.rejected.v1"
    assert [e["field"] for e in answers[-1]["data"]["errors"]] == ["municipality"]
