"""Alert rules and the Grafana dashboard use metrics that exist, and every alert has its runbook."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

import shared.observability  # noqa: F401  (registers the metrics)

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[3]
ALERTS = yaml.safe_load((ROOT / "deploy" / "observability" / "alerts.yaml").read_text())
DASHBOARD = json.loads((ROOT / "deploy" / "observability" / "dashboard.json").read_text())
OPERATIONS = (ROOT / "docs" / "operations.md").read_text()
# Series of RabbitMQ's rabbitmq_prometheus plugin (per-object metrics on) and Prometheus' own `up`.
EXTERNAL_METRICS = {
    "up",
    "rabbitmq_queue_messages",
    "rabbitmq_queue_messages_ready",
    "rabbitmq_queue_messages_unacked",
    "rabbitmq_queue_consumers",
    "rabbitmq_alarms_memory_used_watermark",
    "rabbitmq_alarms_free_disk_space_watermark",
}
PROMQL_WORDS = {
    "by",
    "without",
    "sum",
    "max",
    "min",
    "rate",
    "increase",
    "histogram_quantile",
    "le",
    "and",
    "or",
}


def rules() -> list[dict]:
    return [rule for group in ALERTS["groups"] for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    return [target["expr"] for panel in DASHBOARD["panels"] for target in panel["targets"]]


def metric_names(expression: str) -> set[str]:
    without_strings = re.sub(r'"[^"]*"', '""', expression)
    without_groupings = re.sub(r"\b(by|without)\s*\([^)]*\)", "", without_strings)
    without_ranges = re.sub(r"\[[^\]]*\]", "", without_groupings)
    without_labels = re.sub(r"\{[^}]*\}", "", without_ranges)
    names = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*", without_labels))
    return names - PROMQL_WORDS


def github_anchor(heading: str) -> str:
    return re.sub(r"[^a-z0-9 -]", "", heading.strip().lower()).replace(" ", "-")


def test_the_alerts_cover_dead_letters_outbox_age_detached_consumers_and_long_waits():
    names = {rule["alert"] for rule in rules()}
    assert {
        "SelvhjelpDeadLetterQueueNotEmpty",
        "SelvhjelpOutboxBacklogOld",
        "SelvhjelpConsumersDetached",
        "SelvhjelpLongestWaitTooLong",
    } <= names
    outbox = next(r for r in rules() if r["alert"] == "SelvhjelpOutboxBacklogOld")
    assert "> 300" in outbox["expr"]


def test_every_alert_has_a_severity_a_summary_and_a_runbook_that_exists():
    anchors = {github_anchor(line.lstrip("#")) for line in OPERATIONS.splitlines() if line.startswith("#")}
    for rule in rules():
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]
        path, _, anchor = rule["annotations"]["runbook_url"].partition("#")
        assert path == "docs/operations.md" and anchor in anchors, rule["alert"]


@pytest.mark.parametrize("source", ["alerts", "dashboard"])
def test_every_metric_used_exists_in_the_services_or_in_rabbitmq(source):
    expressions = [r["expr"] for r in rules()] if source == "alerts" else dashboard_expressions()
    ours = set(REGISTRY._names_to_collectors)
    for expression in expressions:
        assert expression.count("(") == expression.count(")") and expression.count("{") == expression.count(
            "}"
        )
        for name in metric_names(expression):
            assert name in ours or name in EXTERNAL_METRICS, (name, expression)
    assert any(name.startswith("selvhjelp_") for e in expressions for name in metric_names(e))


def test_the_dashboard_is_a_grafana_dashboard_with_a_prometheus_datasource_variable():
    assert DASHBOARD["uid"] and DASHBOARD["title"]
    (variable,) = DASHBOARD["templating"]["list"]
    assert variable["type"] == "datasource" and variable["query"] == "prometheus"
    ids = [panel["id"] for panel in DASHBOARD["panels"]]
    assert len(ids) == len(set(ids))
    for panel in DASHBOARD["panels"]:
        assert panel["datasource"]["uid"] == "${datasource}" and panel["targets"]


def test_prometheus_scrapes_the_services_metrics_port_not_their_public_http_port():
    config = yaml.safe_load((ROOT / "deploy" / "observability" / "prometheus.yml").read_text())
    (job,) = [j for j in config["scrape_configs"] if j["job_name"] == "selvhjelp"]
    targets = [t for c in job["static_configs"] for t in c["targets"]]
    assert targets and all(t.endswith(":9100") for t in targets)
