"""The Kubernetes manifests: each overlay rendered by kustomize (`kubectl kustomize`), every object
validated against the Kubernetes schemas (kubernetes-validate, strict) or, for the operators' resources,
against the fields we rely on; then the rules of operating the services."""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import kubernetes_validate
import pytest
import yaml
from pydantic import AliasChoices

from shared.cli import DEFAULT_PORTS
from shared.db.roles import service_role
from shared.messaging.definitions import build_definitions
from shared.messaging.topology import SERVICES
from shared.settings import Settings

pytestmark = pytest.mark.unit

K8S = Path(__file__).resolve().parents[3] / "deploy" / "k8s"
OVERLAYS = ("dev", "production")
KUBERNETES_VERSION = "1.30"
CA_DIR = "/etc/selvhjelp/ca"
AUTOSCALED = {"registration", "calendar", "notifications"}
METRICS_PORT = 9100
# Environment variables the services read: field names, and the aliases some fields are read by.
SETTING_NAMES = set(Settings.model_fields) | {
    str(alias).lower()
    for f in Settings.model_fields.values()
    if f.validation_alias is not None
    for alias in (
        f.validation_alias.choices if isinstance(f.validation_alias, AliasChoices) else [f.validation_alias]
    )
}
# The operators' custom resources: the spec fields we use and those a cluster must have.
OPERATOR_RESOURCES = {
    ("rabbitmq.com/v1beta1", "RabbitmqCluster"): (
        {"replicas", "rabbitmq", "resources", "persistence", "override", "tls", "affinity", "image"},
        {"replicas"},
    ),
    ("postgresql.cnpg.io/v1", "Cluster"): (
        {
            "instances", "imageName", "primaryUpdateStrategy", "storage", "walStorage", "bootstrap",
            "postgresql", "resources", "affinity", "monitoring", "backup", "minSyncReplicas",
            "maxSyncReplicas", "managed",
        },
        {"instances", "storage", "bootstrap"},
    ),
    ("postgresql.cnpg.io/v1", "ScheduledBackup"): ({"schedule", "backupOwnerReference", "cluster"}, {"schedule", "cluster"}),
}  # fmt: skip


@functools.cache
def render(overlay: str) -> tuple[dict, ...]:
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl (with kustomize) is needed to render deploy/k8s; see docs/operations.md"
    result = subprocess.run(
        [kubectl, "kustomize", str(K8S / "overlays" / overlay)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return tuple(d for d in yaml.safe_load_all(result.stdout) if d)


def objects(overlay: str, kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in render(overlay) if o["kind"] == kind}


def selects(selector: dict, labels: dict[str, str]) -> bool:
    if any(labels.get(k) != v for k, v in selector.get("matchLabels", {}).items()):
        return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def pod_labels(overlay: str, service: str) -> dict[str, str]:
    return objects(overlay, "Deployment")[service]["spec"]["template"]["metadata"]["labels"]


def pod_workloads(overlay: str) -> list[dict]:
    """Every Deployment and Job, and each CronJob's job (whose pod template is one level deeper)."""
    cron_jobs = [c["spec"]["jobTemplate"] for c in objects(overlay, "CronJob").values()]
    return [*objects(overlay, "Deployment").values(), *objects(overlay, "Job").values(), *cron_jobs]


def container(workload: dict) -> dict:
    (only,) = workload["spec"]["template"]["spec"]["containers"]
    return only


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_rendered_object_is_valid_for_kubernetes_or_its_operator(overlay):
    for item in render(overlay):
        key = (item["apiVersion"], item["kind"])
        if key in OPERATOR_RESOURCES:
            allowed, required = OPERATOR_RESOURCES[key]
            assert set(item["spec"]) <= allowed, (key, set(item["spec"]) - allowed)
            assert required <= set(item["spec"]), (key, required - set(item["spec"]))
        else:
            kubernetes_validate.validate(item, KUBERNETES_VERSION, strict=True)
        assert item["metadata"]["namespace"] == ("selvhjelp-dev" if overlay == "dev" else "selvhjelp")


def test_the_schema_validation_would_catch_a_misspelt_field():
    deployment = json.loads(json.dumps(objects("dev", "Deployment")["registration"]))
    probe = container(deployment).pop("livenessProbe")
    container(deployment)["livenesProbe"] = probe
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, KUBERNETES_VERSION, strict=True)


# tests/cluster/test_cluster_faults.py: a replica answered "not ready" for up to 42 s while a broker node
# was lost or restarted (docs/operations.md, "Measured on the distributed engine"); with a margin.
READY_THROUGH_NODE_LOSS_SECONDS = 45


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_runs_its_command_on_its_port_with_probes_on_the_health_endpoints(overlay):
    deployments, services = objects(overlay, "Deployment"), objects(overlay, "Service")
    assert set(deployments) == set(SERVICES)
    for name, port in DEFAULT_PORTS.items():
        main = container(deployments[name])
        assert main["args"] == [name, "run", "--host", "0.0.0.0", "--port", str(port)]
        assert main["ports"] == [
            {"name": "http", "containerPort": port, "protocol": "TCP"},
            {"name": "metrics", "containerPort": METRICS_PORT, "protocol": "TCP"},
        ]
        assert main["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
        assert main["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
        # Ready through a broker node's loss: longer than the not-ready time the cluster tier measured.
        readiness = main["readinessProbe"]
        assert readiness["periodSeconds"] * readiness["failureThreshold"] >= READY_THROUGH_NODE_LOSS_SECONDS
        assert main["startupProbe"]["httpGet"]["path"] == "/health/live"
        assert {"cpu", "memory"} <= set(main["resources"]["requests"])
        assert "memory" in main["resources"]["limits"]
        (service_port,) = services[name]["spec"]["ports"]  # the metrics port is not a Service port
        assert (service_port["port"], service_port["targetPort"]) == (port, "http")
        assert services[name]["spec"]["selector"].items() <= pod_labels(overlay, name).items()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_grace_period_outlasts_the_graceful_timeout_and_the_pre_stop_pause(overlay):
    configured = float(
        objects(overlay, "ConfigMap")["selvhjelp-settings"]["data"]["GRACEFUL_TIMEOUT_SECONDS"]
    )
    assert configured == Settings().graceful_timeout_seconds
    for deployment in objects(overlay, "Deployment").values():
        pause = int(container(deployment)["lifecycle"]["preStop"]["exec"]["command"][-1])
        assert deployment["spec"]["template"]["spec"]["terminationGracePeriodSeconds"] > configured + pause


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_pod_runs_as_a_non_root_user_on_a_read_only_root_filesystem(overlay):
    workloads = pod_workloads(overlay)
    assert len(workloads) == len(SERVICES) + 2  # and the migration job and the audit prune
    for workload in workloads:
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        assert pod["automountServiceAccountToken"] is False
        security = container(workload)["securityContext"]
        assert security["readOnlyRootFilesystem"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"]
        mounts = {m["mountPath"]: m for m in container(workload)["volumeMounts"]}
        assert set(mounts) == {"/tmp", CA_DIR} and mounts[CA_DIR]["readOnly"] is True


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_deployment_has_a_disruption_budget_and_network_policies_admitting_only_its_http_port(overlay):
    budgets = objects(overlay, "PodDisruptionBudget").values()
    policies = objects(overlay, "NetworkPolicy").values()
    for name, port in DEFAULT_PORTS.items():
        labels = pod_labels(overlay, name)
        assert any(selects(b["spec"]["selector"], labels) for b in budgets), name
        applying = [p for p in policies if selects(p["spec"]["podSelector"], labels)]
        assert any({"Ingress", "Egress"} <= set(p["spec"]["policyTypes"]) for p in applying), name
        admitted = {
            port_rule["port"]
            for p in applying
            for rule in p["spec"].get("ingress", [])
            for port_rule in rule.get("ports", [])
        }
        assert port in admitted and admitted <= {*DEFAULT_PORTS.values(), METRICS_PORT}, (name, admitted)
        sources = [s for p in applying for rule in p["spec"].get("ingress", []) for s in rule["from"]]
        # Services talk to each other only through RabbitMQ: no pod of the namespace may call them.
        assert all("namespaceSelector" in s for s in sources), name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_services_reach_only_rabbitmq_postgresql_and_dns_and_notifications_also_smtp(overlay):
    policies = objects(overlay, "NetworkPolicy").values()
    for name in SERVICES:
        labels = pod_labels(overlay, name)
        reached = {
            port_rule["port"]
            for p in policies
            if selects(p["spec"]["podSelector"], labels)
            for rule in p["spec"].get("egress", [])
            for port_rule in rule.get("ports", [])
        }
        expected = {5671, 5432, 53} | ({587, 465} if name == "notifications" else set())
        assert reached == expected, name


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_competing_consumers_autoscale_on_cpu_and_grouping_keeps_fixed_replicas(overlay):
    autoscalers = objects(overlay, "HorizontalPodAutoscaler")
    assert set(autoscalers) == AUTOSCALED
    for name, hpa in autoscalers.items():
        assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
        assert 1 <= hpa["spec"]["minReplicas"] < hpa["spec"]["maxReplicas"]
        # The HPA owns the replica count; a fixed one in the Deployment would fight it on every apply.
        assert "replicas" not in objects(overlay, "Deployment")[name]["spec"]
    assert objects(overlay, "Deployment")["grouping"]["spec"]["replicas"] == (1 if overlay == "dev" else 2)


def test_production_runs_several_replicas_spread_over_zones():
    for name, hpa in objects("production", "HorizontalPodAutoscaler").items():
        assert hpa["spec"]["minReplicas"] >= 2, name
    for deployment in objects("production", "Deployment").values():
        keys = {c["topologyKey"] for c in deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]}
        assert keys == {"topology.kubernetes.io/zone", "kubernetes.io/hostname"}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_migration_job_runs_selvhjelp_migrate_with_the_same_image(overlay):
    (job,) = objects(overlay, "Job").values()
    images = {container(d)["image"] for d in objects(overlay, "Deployment").values()}
    assert images == {container(job)["image"]}
    assert container(job)["args"] == ["migrate"]
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    secret = container(job)["envFrom"][1]["secretRef"]["name"]
    assert "DATABASE_URL" in objects(overlay, "Secret")[secret]["stringData"]
    (image,) = images
    assert not image.endswith(":latest") and ":" in image


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_audit_prune_runs_daily_as_the_database_owner_reaching_only_postgresql_and_dns(overlay):
    (cron,) = objects(overlay, "CronJob").values()
    (migrate_job,) = objects(overlay, "Job").values()
    job = cron["spec"]["jobTemplate"]
    assert container(job)["args"] == ["audit", "prune"]
    assert container(job)["image"] == container(migrate_job)["image"]
    minute, hour, *every_day = cron["spec"]["schedule"].split()
    assert minute.isdigit() and hour.isdigit() and every_day == ["*", "*", "*"]
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert job["spec"]["template"]["spec"]["restartPolicy"] == "Never"
    # The owner's Secret, as the migration job has: the services' roles may not delete audit entries.
    secret = container(job)["envFrom"][1]["secretRef"]["name"]
    assert secret == container(migrate_job)["envFrom"][1]["secretRef"]["name"]
    (postgres,) = objects(overlay, "Cluster").values()
    owner = postgres["spec"]["bootstrap"]["initdb"]["owner"]
    assert objects(overlay, "Secret")[secret]["stringData"]["DATABASE_URL"].startswith(
        f"postgresql+asyncpg://{owner}:"
    )
    labels = job["spec"]["template"]["metadata"]["labels"]
    policies = objects(overlay, "NetworkPolicy")
    applying = [p for p in policies.values() if selects(p["spec"]["podSelector"], labels)]
    assert any({"Ingress", "Egress"} <= set(p["spec"]["policyTypes"]) for p in applying)
    assert not [rule for p in applying for rule in p["spec"].get("ingress", [])]
    reached = {r["port"] for p in applying for rule in p["spec"].get("egress", []) for r in rule["ports"]}
    assert reached == {5432, 53}
    admitted = [
        s["podSelector"]
        for rule in policies["selvhjelp-postgres-in"]["spec"]["ingress"]
        for s in rule["from"]
        if "podSelector" in s and "namespaceSelector" not in s  # pods of this namespace
    ]
    assert any(selects(selector, labels) for selector in admitted)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_settings_are_ones_the_services_read_and_agree_with_the_broker_definitions(overlay):
    settings = objects(overlay, "ConfigMap")["selvhjelp-settings"]["data"]
    assert {key.lower() for key in settings} <= SETTING_NAMES
    queue_arguments = [
        q["arguments"] for q in build_definitions()["queues"] if "x-delivery-limit" in q["arguments"]
    ]
    assert {int(settings["DELIVERY_LIMIT"])} == {a["x-delivery-limit"] for a in queue_arguments}
    assert settings["DECLARE_TOPOLOGY"] == "false"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_service_connects_as_its_own_rabbitmq_user(overlay):
    secrets = objects(overlay, "Secret")
    users = {u["name"] for u in build_definitions()["users"]}
    for name in SERVICES:
        secret = container(objects(overlay, "Deployment")[name])["envFrom"][1]["secretRef"]["name"]
        urls = secrets[secret]["stringData"]
        assert urls["DATABASE_URL"].startswith(f"postgresql+asyncpg://{service_role(name)}:")
        assert urls["RABBITMQ_URL"].startswith(f"amqps://{name}:") and name in users
        assert urlsplit(urls["RABBITMQ_URL"]).path == "/selvhjelp"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rabbitmq_and_postgresql_are_operator_managed_clusters(overlay):
    (rabbitmq,) = objects(overlay, "RabbitmqCluster").values()
    (postgres,) = objects(overlay, "Cluster").values()
    assert not objects(overlay, "StatefulSet")
    size = 1 if overlay == "dev" else 3
    assert rabbitmq["spec"]["replicas"] == size and postgres["spec"]["instances"] == size
    assert "load_definitions" in rabbitmq["spec"]["rabbitmq"]["additionalConfig"]
    mounted = rabbitmq["spec"]["override"]["statefulSet"]["spec"]["template"]["spec"]["volumes"]
    assert mounted[0]["secret"]["secretName"] in objects(overlay, "Secret")


def test_production_postgresql_is_backed_up_for_point_in_time_recovery():
    (postgres,) = objects("production", "Cluster").values()
    (nightly,) = objects("production", "ScheduledBackup").values()
    assert postgres["spec"]["backup"]["barmanObjectStore"]["destinationPath"].startswith("s3://")
    assert postgres["spec"]["minSyncReplicas"] >= 1
    assert nightly["spec"]["cluster"]["name"] == postgres["metadata"]["name"]
    assert objects("production", "PodDisruptionBudget")["selvhjelp-rabbitmq"]["spec"]["maxUnavailable"] == 1


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_link_is_tls_with_the_server_verified_and_the_broker_has_no_plain_listener(overlay):
    secrets = objects(overlay, "Secret")
    for workload in pod_workloads(overlay):
        main = container(workload)
        env = {e["name"]: e.get("value") for e in main.get("env", [])}
        pod = workload["spec"]["template"]["spec"]
        (ca,) = [v for v in pod["volumes"] if v["name"] == "ca"]
        projected = {
            (source["secret"]["name"], item["key"], item["path"])
            for source in ca["projected"]["sources"]
            for item in source["secret"]["items"]
        }
        # The CAs only: no private key of the broker's TLS Secret reaches a service.
        assert projected == {
            ("selvhjelp-rabbitmq-tls", "ca.crt", "rabbitmq-ca.crt"),
            ("selvhjelp-postgres-ca", "ca.crt", "postgres-ca.crt"),
        }
        assert env["PGSSLROOTCERT"] == f"{CA_DIR}/postgres-ca.crt"
        urls = secrets[main["envFrom"][1]["secretRef"]["name"]]["stringData"]
        database = urlsplit(urls["DATABASE_URL"])
        assert parse_qs(database.query) == {"ssl": ["verify-full"]}, workload["metadata"]["name"]
        if "RABBITMQ_URL" in urls:
            broker = urlsplit(urls["RABBITMQ_URL"])
            assert (broker.scheme, broker.port) == ("amqps", 5671)
            assert parse_qs(broker.query) == {
                "cafile": [f"{CA_DIR}/rabbitmq-ca.crt"],
                "reconnect_interval": ["1"],  # the cluster tier's setting (tests/cluster/)
            }
    (rabbitmq,) = objects(overlay, "RabbitmqCluster").values()
    assert rabbitmq["spec"]["tls"] == {"secretName": "selvhjelp-rabbitmq-tls", "disableNonTLSListeners": True}
    rabbit_in = objects(overlay, "NetworkPolicy")["selvhjelp-rabbitmq-in"]
    opened = {p["port"] for rule in rabbit_in["spec"]["ingress"] for p in rule.get("ports", [])}
    assert opened.isdisjoint({5672, 15672, 15692}), opened  # the plain listeners


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_the_database_cluster_makes_each_services_role_with_the_password_of_its_secret(overlay):
    (postgres,) = objects(overlay, "Cluster").values()
    secrets = objects(overlay, "Secret")
    roles = {role["name"]: role for role in postgres["spec"]["managed"]["roles"]}
    assert set(roles) == {service_role(name) for name in SERVICES}
    for name in SERVICES:
        role = roles[service_role(name)]
        assert role["login"] is True and not role.get("superuser") and not role.get("createrole")
        login = secrets[role["passwordSecret"]["name"]]
        assert login["type"] == "kubernetes.io/basic-auth"
        assert login["stringData"]["username"] == service_role(name)
    (job,) = objects(overlay, "Job").values()
    migrate_url = secrets[container(job)["envFrom"][1]["secretRef"]["name"]]["stringData"]["DATABASE_URL"]
    owner = postgres["spec"]["bootstrap"]["initdb"]["owner"]
    assert migrate_url.startswith(f"postgresql+asyncpg://{owner}:")


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_metrics_are_on_their_own_port_that_only_prometheus_reaches_and_the_ingress_never_routes(overlay):
    settings = objects(overlay, "ConfigMap")["selvhjelp-settings"]["data"]
    assert settings["SELVHJELP_ENV"] == "production"  # no /metrics or /docs on the public app
    assert int(settings["METRICS_PORT"]) == METRICS_PORT
    for name in SERVICES:
        annotations = objects(overlay, "Deployment")[name]["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == str(METRICS_PORT)
    (ingress,) = objects(overlay, "Ingress").values()
    backends = [p["backend"]["service"] for r in ingress["spec"]["rules"] for p in r["http"]["paths"]]
    assert {b["port"]["name"] for b in backends} == {"http"}
    for policy in objects(overlay, "NetworkPolicy").values():
        for rule in policy["spec"].get("ingress", []):
            namespaces = {
                s.get("namespaceSelector", {}).get("matchLabels", {}).get("kubernetes.io/metadata.name")
                for s in rule["from"]
            }
            ports = {r["port"] for r in rule.get("ports", [])}
            if METRICS_PORT in ports:
                assert namespaces == {"monitoring"}, policy["metadata"]["name"]
            if "ingress-nginx" in namespaces:
                assert METRICS_PORT not in ports


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_service_gets_the_whole_signing_keyring(overlay):
    secret = objects(overlay, "Secret")["selvhjelp-signing"]["stringData"]
    assert {"SIGNING_KEY", "SIGNING_KEY_ID", "SIGNING_KEYS_RETIRED"} <= set(secret)
    for name in SERVICES:
        refs = [
            e["secretRef"]["name"]
            for e in container(objects(overlay, "Deployment")[name])["envFrom"]
            if "secretRef" in e
        ]
        assert "selvhjelp-signing" in refs
