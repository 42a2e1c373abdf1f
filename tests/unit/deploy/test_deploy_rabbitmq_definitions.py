"""deploy/rabbitmq/definitions.json: generated from the topology in code, identical to the committed file,
and least-privilege per user."""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re

import pytest

from shared.messaging import definitions
from shared.messaging.definitions import (
    DEFINITIONS_PATH,
    INTAKE_PUBLISHER,
    build_definitions,
    password_hash,
    permission_of,
    render,
)
from shared.messaging.topology import (
    DEAD_LETTER_EXCHANGE,
    EXCHANGES,
    INTAKE_EXCHANGE,
    SERVICES,
    exchange_of,
    partner_reply_queue,
    topology_with_partners,
)
from shared.settings import Settings

pytestmark = pytest.mark.unit

PARTNERS = [partner.name for partner in Settings().partners]
TOPOLOGY = topology_with_partners(PARTNERS)  # the services' queues and the partners' reply queues
ALL_QUEUES = [q.name for q in TOPOLOGY.queues] + [q.dead_letter_queue for q in TOPOLOGY.queues]
ALL_EXCHANGES = [*EXCHANGES, DEAD_LETTER_EXCHANGE]


def allowed(pattern: str, names: list[str]) -> set[str]:
    return {n for n in names if re.search(pattern, n)}


def test_the_committed_definitions_are_the_generated_ones():
    assert DEFINITIONS_PATH.read_text() == render(build_definitions()), (
        "run `selvhjelp rabbitmq definitions generate`"
    )


def test_the_committed_definitions_carry_no_guest_and_no_password():
    committed = json.loads(DEFINITIONS_PATH.read_text())
    assert {u["name"] for u in committed["users"]} == {*SERVICES, INTAKE_PUBLISHER, *PARTNERS}
    assert PARTNERS == ["partner-demo"]  # the demo partner of `make run`; a deployment lists its own
    assert {u["password_hash"] for u in committed["users"]} == {""}
    assert all(u["tags"] == [] for u in committed["users"])
    assert {v["name"] for v in committed["vhosts"]} == {"selvhjelp"}


def test_every_queue_is_a_quorum_queue_with_the_codes_arguments_and_a_dlq_bound_to_the_dlx():
    generated = build_definitions()
    queues = {q["name"]: q["arguments"] for q in generated["queues"]}
    bindings = {(b["source"], b["destination"], b["routing_key"]) for b in generated["bindings"]}
    assert set(queues) == set(ALL_QUEUES)
    for spec in TOPOLOGY.queues:
        assert queues[spec.name] == spec.arguments(Settings().delivery_limit)
        assert queues[spec.dead_letter_queue] == {"x-queue-type": "quorum"}
        assert (DEAD_LETTER_EXCHANGE, spec.dead_letter_queue, spec.name) in bindings
        assert {(ex, spec.name, rk) for ex, rk in spec.bindings} <= bindings
    exchanges = {e["name"]: e["type"] for e in generated["exchanges"]}
    assert exchanges == {**{name: "topic" for name in EXCHANGES}, DEAD_LETTER_EXCHANGE: "direct"}
    (policy,) = generated["policies"]
    assert allowed(policy["pattern"], ALL_QUEUES) == {q.dead_letter_queue for q in TOPOLOGY.queues}


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_reads_only_its_queues_and_writes_only_to_its_exchange_and_the_dlx(service):
    permission = permission_of(service)
    own = {q.name for q in TOPOLOGY.for_service(service)}
    assert allowed(permission.read, ALL_QUEUES + ALL_EXCHANGES) == own
    assert allowed(permission.write, ALL_QUEUES + ALL_EXCHANGES) == {
        exchange_of(service),
        DEAD_LETTER_EXCHANGE,
    }
    assert allowed(permission.configure, ALL_QUEUES + ALL_EXCHANGES) == {
        exchange_of(service),
        *own,
        *(f"{q}.dlq" for q in own),
    }


def test_the_intake_publisher_may_only_publish_to_the_intake_exchange():
    permission = permission_of(INTAKE_PUBLISHER)
    names = ALL_QUEUES + ALL_EXCHANGES + ["intake-publisher.replies"]
    assert allowed(permission.write, names) == {INTAKE_EXCHANGE}
    assert allowed(permission.read, names) == allowed(permission.configure, names) == set()


def test_a_partner_may_only_publish_to_the_intake_and_read_its_own_reply_queue():
    topology = topology_with_partners(["kommune-a", "kommune-b"])
    names = [q.name for q in topology.queues] + [q.dead_letter_queue for q in topology.queues] + ALL_EXCHANGES
    permission = permission_of("kommune-a", topology)
    assert allowed(permission.write, names) == {INTAKE_EXCHANGE}
    assert allowed(permission.read, names) == {"partner.kommune-a.replies"}
    assert allowed(permission.configure, names) == set()


def test_a_partners_reply_queue_binds_only_its_own_answers_from_the_registration_exchange():
    queue = partner_reply_queue("kommune-a")
    assert queue.bindings == (
        (exchange_of("registration"), "partner.kommune-a.registration.received.v1"),
        (exchange_of("registration"), "partner.kommune-a.registration.rejected.v1"),
    )
    assert queue.arguments(5)["x-queue-type"] == "quorum"
    generated = build_definitions(partners=["kommune-a", "kommune-b"])
    assert {u["name"] for u in generated["users"]} >= {"kommune-a", "kommune-b"}
    assert {"partner.kommune-a.replies", "partner.kommune-b.replies"} <= {
        q["name"] for q in generated["queues"]
    }


def test_a_password_is_hashed_the_way_rabbitmq_checks_it():
    encoded = password_hash("s3cret", b"\x01\x02\x03\x04")
    raw = base64.b64decode(encoded)
    assert raw[:4] == b"\x01\x02\x03\x04"
    assert raw[4:] == hashlib.sha256(b"\x01\x02\x03\x04s3cret").digest()


def test_passwords_from_the_environment_go_into_a_private_copy_and_are_required_for_every_user():
    users = definitions.users_with_partners(PARTNERS)
    env = {f"RABBITMQ_PASSWORD_{u.upper().replace('-', '_')}": f"pw-{u}" for u in users}
    passwords = definitions.passwords_from_env(users, env=env)
    generated = build_definitions(passwords=passwords)
    assert all(u["password_hash"] for u in generated["users"])
    with pytest.raises(SystemExit, match="RABBITMQ_PASSWORD_INTAKE_PUBLISHER"):
        definitions.passwords_from_env(users, env={k: v for k, v in env.items() if "INTAKE" not in k})


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="selvhjelp")
    commands = parser.add_subparsers(dest="command", required=True)
    definitions.build_parser(commands)
    return parser


def test_the_command_line_checks_and_generates_the_file(tmp_path, capsys):
    parser = _parser()
    check = parser.parse_args(["rabbitmq", "definitions", "check"])
    assert check.func(check) == 0
    out = tmp_path / "definitions.json"
    generate = parser.parse_args(
        ["rabbitmq", "definitions", "generate", "--vhost", "other", "--out", str(out)]
    )
    assert generate.func(generate) == 0
    assert {v["name"] for v in json.loads(out.read_text())["vhosts"]} == {"other"}
    stale = parser.parse_args(["rabbitmq", "definitions", "check", "--out", str(out)])
    assert stale.func(stale) == 1


def test_the_command_joins_a_rabbitmq_command_another_module_already_added():
    parser = argparse.ArgumentParser(prog="selvhjelp")
    commands = parser.add_subparsers(dest="command", required=True)
    rabbitmq = commands.add_parser("rabbitmq")
    rabbitmq.add_subparsers(dest="rabbitmq_action", required=True).add_parser("dlq")
    definitions.build_parser(commands)
    assert parser.parse_args(["rabbitmq", "definitions", "check"]).mode == "check"
    assert parser.parse_args(["rabbitmq", "dlq"]).rabbitmq_action == "dlq"
