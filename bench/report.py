"""What the speed bench prints: where an invited person's time went in each flow, and the one table of
medians over the runs, their limits, ratios and targets."""

from __future__ import annotations

import math
import statistics
import sys

from common import BENCH_ENV, SERVICES, TARGETS, code_version
from flow_result import FlowResult


def print_stages(label: str, result: FlowResult) -> None:
    print(
        f"\n{label}: {result.registrations:,} registrations (offered {result.offered:,.0f}/s) in "
        f"{result.seconds:.1f} s; {result.groups:,} groups formed, {result.scheduled:,} scheduled, "
        f"{result.failed:,} not schedulable; {result.invited:,} people invited"
    )
    print(f"  {'where an invited person’s time went (s)':<44}{'p50':>9}{'p95':>9}{'p99':>9}")
    for stage, values in result.stages:
        print(f"  {stage:<44}{values['p50']:>9.2f}{values['p95']:>9.2f}{values['p99']:>9.2f}")
    for name, values in (
        ("submission → invitation sent", result.latency),
        ("group’s last registration → invitation sent", result.after_group_complete),
        ("earliest possible (3 compatible registered)", result.earliest),
    ):
        if not values:
            continue
        print(f"  {name:<44}{values['p50']:>9.2f}{values['p95']:>9.2f}{values['p99']:>9.2f}")
    if result.stages_last and result.offered < 500:  # paced: where the system's own time went
        print(f"  {'the same for the member who completed a group':<44}{'p50':>9}{'p95':>9}{'p99':>9}")
        for stage, values in result.stages_last:
            print(f"  {stage:<44}{values['p50']:>9.2f}{values['p95']:>9.2f}{values['p99']:>9.2f}")
    if result.planning:
        plans = "; ".join(
            f"{part} {mean * 1000:.0f} ms ({n:,})" for part, (n, mean) in result.planning.items()
        )
        count = max(count for count, _ in result.planning.values())
        print(f"  district plans: {count:,}, mean time {plans}")
    cpu = ", ".join(f"{name} {seconds:.0f}" for name, seconds in result.cpu_seconds.items())
    memory = ", ".join(f"{name} {mb:.0f}" for name, mb in result.peak_mb.items())
    print(f"  CPU seconds used: {cpu}; peak RSS (MB): {memory}")
    if result.relay_retries:
        print(f"  outbox relay publishes retried: {result.relay_retries}")
    if result.dead_lettered:
        print(f"  dead-lettered: {result.dead_lettered}")
    for problem in result.problems:
        print(f"  PROBLEM: {problem}")
    sys.stdout.flush()


def _median(values: list[float]) -> float:
    clean = [v for v in values if v is not None and not math.isnan(v)]
    return statistics.median(clean) if clean else math.nan


def _fmt(value: float, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:,.{digits}f}"


def print_table(figures: dict[str, list[float]], args) -> bool:
    """The one table: medians over runs, limits, ratios and targets. True when every target is met."""
    med = {name: _median(values) for name, values in figures.items()}
    rows: list[tuple[str, str, str, str, str, str, str]] = []
    verdicts: list[bool] = []

    def row(name, key, digits=0, limit=None, limit_name="", target=None, higher=True):
        value = med.get(key, math.nan)
        runs = ", ".join(_fmt(v, digits) for v in figures.get(key, []))
        ratio = value / med[limit] if limit and med.get(limit) else math.nan
        measured = ratio if limit else value
        verdict = ""
        if target is not None and not math.isnan(measured):
            ok = measured >= target if higher else measured < target
            verdicts.append(ok)
            verdict = "yes" if ok else "NO"
        elif target is not None:  # not measured (a phase left out or failed): not met, but not a "no"
            verdicts.append(False)
            verdict = "not run"
        rows.append(
            (
                name,
                _fmt(value, digits),
                runs,
                limit_name,
                _fmt(ratio, 2) if limit else "",
                ("≥ " if higher else "< ") + f"{target:g}" if target is not None else "",
                verdict,
            )
        )

    c = args.concurrency
    row("raw AMQP hop (msg/s)", "hop")
    row("raw SMTP to the local sink (mail/s)", "smtp")
    row("HTTP floor: FastAPI, the intake's route and model, no db (req/s)", "http_floor")
    row("AMQP floor: consume + ack + 2 confirmed publishes (msg/s)", "amqp_floor")
    row("raw db commit, 1 connection (tx/s)", "db1")
    row(f"raw db commit, {c} connections (tx/s)", "dbC")
    # What each limit costs: how many of them two cores could carry side by side.
    row("  CPU-ms per commit, PostgreSQL", "dbC_cpu_postgres", 3)
    row("  CPU-ms per commit, this client", "dbC_cpu_client", 3)
    row("  CPU-ms per hop message, RabbitMQ", "hop_cpu_rabbitmq", 3)
    row("  CPU-ms per hop message, this client", "hop_cpu_client", 3)
    row("  CPU-ms per AMQP floor message, RabbitMQ", "amqp_floor_cpu_rabbitmq", 3)
    row("  CPU-ms per AMQP floor message, this client", "amqp_floor_cpu_client", 3)
    row(
        f"intake HTTP, {c} in flight (reg/s)",
        "http",
        limit="dbC",
        limit_name=f"db commit ×{c}",
        target=TARGETS["intake"],
    )
    row("  the same against FastAPI alone (no database)", "http", limit="http_floor", limit_name="HTTP floor")
    row("  service CPU-ms per registration, its two events relayed", "http_cpu_ms", 2)
    row("intake AMQP (reg/s)", "amqp", limit="dbC", limit_name=f"db commit ×{c}", target=TARGETS["intake"])
    row("  the same against its messaging alone", "amqp", limit="amqp_floor", limit_name="AMQP floor")
    row("  service CPU-ms per registration, its two events relayed", "amqp_cpu_ms", 2)
    n = args.registrations
    row(
        f"end to end, {n:,} burst (reg/s)",
        "e2e",
        1,
        limit="hop",
        limit_name="AMQP hop",
        target=TARGETS["e2e"],
    )
    row("  people invited", "e2e_invited")
    row("  invitations sent (per s)", "e2e_invitation_rate", 1, limit="smtp", limit_name="raw SMTP")
    row("  groups formed", "e2e_groups")
    row("  groups not schedulable", "e2e_failed")
    row("  messages dead-lettered", "e2e_dead")
    for p in ("p50", "p95", "p99"):
        row(f"  submission → invitation {p} (s)", f"e2e_{p}", 2)
    rate = f"{args.paced_rate:g}/s"
    row(f"paced {rate}, {int(args.paced_rate * args.paced_seconds):,} (offered reg/s)", "paced_offered", 1)
    row("  people invited", "paced_invited")
    row("  messages dead-lettered", "paced_dead")
    for p in ("p50", "p95", "p99"):
        target = TARGETS["p99"] if p == "p99" else None
        row(f"  submission → invitation {p} (s)", f"paced_{p}", 2, target=target, higher=False)
    row("  from group's last registration p99 (s)", "paced_complete_p99", 2)
    row("  earliest possible for the same people p99 (s)", "paced_earliest_p99", 2)
    for service in SERVICES:
        row(f"peak RSS {service} (MB)", f"rss_{service}", target=TARGETS["rss_mb"], higher=False)

    header = ("measure", "median", "runs", "limit", "ratio", "target", "met")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print()
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        cells = [r[0].ljust(widths[0])] + [str(v).rjust(w) for v, w in zip(r[1:], widths[1:], strict=True)]
        print("| " + " | ".join(cells) + " |")
    settings = ", ".join(f"{k}={v}" for k, v in BENCH_ENV.items() if k not in ("LOG_JSON",))
    print(f"\nservices run with {settings}; everything else as in shared/settings.py")
    print(f"code: {', '.join(dict.fromkeys(args.versions)) or code_version()}")
    return all(verdicts)
