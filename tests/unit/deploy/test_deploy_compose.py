"""deploy/compose.yaml, checked without a Docker engine: one RabbitMQ node by default and three with the
`cluster` profile, PostgreSQL, the migration job before the services, healthchecks on /health/ready."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

from shared.cli import DEFAULT_PORTS
from shared.db.roles import service_role
from shared.messaging.topology import SERVICES
from shared.settings import Settings

pytestmark = pytest.mark.unit

DEPLOY = Path(__file__).resolve().parents[3] / "deploy"
COMPOSE = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
SERVICES_OF = COMPOSE["services"]


def in_profile(profile: str | None) -> set[str]:
    return {name for name, s in SERVICES_OF.items() if not s.get("profiles") or profile in s["profiles"]}


def rabbitmq_nodes(names: set[str]) -> set[str]:
    return {n for n in names if SERVICES_OF[n].get("image", "").startswith("rabbitmq:")}


def test_one_rabbitmq_node_by_default_and_three_with_the_cluster_profile():
    assert rabbitmq_nodes(in_profile(None)) == {"rabbitmq"}
    cluster = rabbitmq_nodes(in_profile("cluster"))
    assert len(cluster) == 3
    config = (DEPLOY / "rabbitmq" / "compose" / "cluster.conf").read_text()
    assert set(re.findall(r"= rabbit@(\S+)", config)) == {SERVICES_OF[n]["hostname"] for n in cluster}
    cookies = {SERVICES_OF[n]["environment"]["RABBITMQ_ERLANG_COOKIE"] for n in cluster}
    assert len(cookies) == 1


def test_the_default_set_up_has_the_servers_the_migration_the_sinks_and_the_four_services():
    assert {"postgres", "rabbitmq", "migrate", "sinks", *SERVICES} <= in_profile(None)
    assert SERVICES_OF["migrate"]["command"] == ["migrate"]
    assert SERVICES_OF["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_starts_after_the_migration_and_is_healthy_when_ready(service):
    spec, port = SERVICES_OF[service], DEFAULT_PORTS[service]
    assert spec["command"] == [service, "run", "--host", "0.0.0.0", "--port", str(port)]
    assert spec["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert spec["depends_on"]["rabbitmq"]["condition"] == "service_healthy"
    assert f"http://127.0.0.1:{port}/health/ready" in " ".join(spec["healthcheck"]["test"])
    assert spec["ports"] == [f"127.0.0.1:{port}:{port}"]
    assert spec["read_only"] is True and spec["tmpfs"] == ["/tmp"]
    assert int(spec["stop_grace_period"].rstrip("s")) > Settings().graceful_timeout_seconds


def test_the_environment_holds_only_settings_the_services_read_and_points_at_the_compose_servers():
    environment = SERVICES_OF["registration"]["environment"]
    assert {key.lower() for key in environment} <= set(Settings.model_fields) | {"selvhjelp_env"}
    assert (
        environment["DATABASE_URL"].startswith("postgresql+asyncpg://")
        and "@postgres:5432/" in environment["DATABASE_URL"]
    )
    rabbitmq = SERVICES_OF["rabbitmq"]["environment"]
    assert environment["RABBITMQ_URL"].endswith(f"@rabbitmq:5672/{rabbitmq['RABBITMQ_DEFAULT_VHOST']}")
    assert environment["SMTP_HOST"] == "sinks"


def test_every_image_is_pinned_and_every_mounted_file_exists():
    for name, spec in SERVICES_OF.items():
        image = spec["image"]
        assert not image.endswith(":latest") and (":" in image or image.startswith("${")), name
        if "build" in spec:
            assert (DEPLOY / spec["build"]["context"] / spec["build"]["dockerfile"]).exists()
        for volume in spec.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (DEPLOY / source).exists(), source


def test_compose_with_its_plain_links_runs_as_development_and_still_signs_sms_replies():
    # Plain amqp:// and PostgreSQL without TLS on one host are for development only; Kubernetes is TLS.
    environment = SERVICES_OF["notifications"]["environment"]
    assert (
        environment["SELVHJELP_ENV"].endswith("development}") or environment["SELVHJELP_ENV"] == "development"
    )
    assert environment["RABBITMQ_URL"].startswith("amqp://")
    assert environment["SMS_INBOUND_SECRET"]


@pytest.mark.parametrize("service", SERVICES)
def test_each_service_logs_in_to_postgresql_as_its_own_role_whose_password_the_migration_sets(service):
    url = make_url(SERVICES_OF[service]["environment"]["DATABASE_URL"])
    assert url.username == service_role(service) and url.host == "postgres"
    migrate = SERVICES_OF["migrate"]["environment"]
    assert (
        make_url(migrate["DATABASE_URL"]).username == SERVICES_OF["postgres"]["environment"]["POSTGRES_USER"]
    )
    assert migrate[f"DATABASE_PASSWORD_{service.upper()}"] == url.password
