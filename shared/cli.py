"""`selvhjelp`: one command line for every service and operator task."""

from __future__ import annotations

import argparse
import gc
import importlib
import json
import os
import sys
from pathlib import Path

from shared.messaging.topology import SERVICES

DEFAULT_PORTS = {"registration": 8101, "grouping": 8102, "calendar": 8103, "notifications": 8104}
DOCS = Path(__file__).resolve().parent.parent / "docs"


def service_port(service: str) -> int:
    return int(os.environ.get(f"SELVHJELP_{service.upper()}_PORT", DEFAULT_PORTS[service]))


def _run_service(service: str, args: argparse.Namespace) -> int:
    import uvicorn

    from shared.settings import InsecureSettings, get_settings

    settings = get_settings()
    try:
        settings.refuse_if_insecure()
    except InsecureSettings as refusal:
        print(f"selvhjelp {service}: {refusal}", file=sys.stderr)
        return 2
    if settings.metrics_port:
        from prometheus_client import start_http_server

        # Its own port, which the ingress never routes: metrics are for Prometheus, not the public.
        start_http_server(settings.metrics_port, addr=args.host or settings.http_host)
    app_module = importlib.import_module(f"services.{service}.app")
    # A service names what it cannot run without outside development (missing secrets, TLS off).
    problems = getattr(app_module, "settings_problems", lambda _settings: [])(settings)
    if problems:
        print(f"{service} will not start (SELVHJELP_ENV={settings.environment}):", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 2
    app = app_module.create_app(settings)
    # What is built by now (modules, routes, models, tables) lives as long as the process: frozen, the
    # collector's full passes no longer walk it each time (they cost the intake about 0.1-0.4 CPU-ms
    # per registration, docs/quality.md). Only here, in a service's own process, not where tests build
    # many apps in one process.
    gc.collect()
    gc.freeze()
    uvicorn.run(
        app,
        host=args.host or settings.http_host,
        port=args.port or service_port(service),
        log_config=None,  # our JSON logging, configured by the app factory
        timeout_graceful_shutdown=int(settings.graceful_timeout_seconds),
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
    return 0


def _migrate(args: argparse.Namespace) -> int:
    from shared.db.migrate import migrate
    from shared.settings import get_settings

    migrate(args.database_url or get_settings().database_url, tuple(args.service or SERVICES))
    return 0


def render_asyncapi(service: str) -> str:
    from shared.settings import Settings

    module = importlib.import_module(f"services.{service}.app")
    spec = module.create_service(Settings()).asyncapi().to_specification().to_jsonable()
    # The generated document names the broker URL of the machine it ran on; the contract must not.
    for server in spec.get("servers", {}).values():
        server["host"] = "rabbitmq:5672"
    return json.dumps(spec, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_openapi(service: str) -> str:
    from shared.settings import Settings

    module = importlib.import_module(f"services.{service}.app")
    return (
        json.dumps(module.create_app(Settings()).openapi(), indent=2, sort_keys=True, ensure_ascii=False)
        + "\n"
    )


def _write_docs(kind: str, render, check: bool) -> int:
    out_dir = DOCS / kind
    out_dir.mkdir(parents=True, exist_ok=True)
    stale = []
    for service in SERVICES:
        path = out_dir / f"{service}.json"
        text = render(service)
        if check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.write_text(text)
            print(f"wrote {path}")
    if stale:
        print(f"out of date (run `selvhjelp {kind} generate`): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="selvhjelp", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    service_parsers = {}
    for service in SERVICES:
        sp = commands.add_parser(service, help=f"the {service} service")
        sub = sp.add_subparsers(dest="action", required=True)
        run = sub.add_parser("run", help=f"run the {service} service (HTTP + consumers)")
        run.add_argument("--host")
        run.add_argument("--port", type=int)
        run.set_defaults(func=lambda a, s=service: _run_service(s, a))
        service_parsers[service] = sub

    migrate = commands.add_parser("migrate", help="run every service's database migrations")
    migrate.add_argument("--database-url")
    migrate.add_argument("--service", action="append", choices=SERVICES)
    migrate.set_defaults(func=_migrate)

    for kind, render in (("asyncapi", render_asyncapi), ("openapi", render_openapi)):
        p = commands.add_parser(kind, help=f"generate or check docs/{kind}/*.json")
        p.add_argument("mode", choices=("generate", "check"))
        p.set_defaults(func=lambda a, k=kind, r=render: _write_docs(k, r, a.mode == "check"))

    dev = commands.add_parser("dev", help="the local system: `up` (make run), `stop`, `servers`")
    dev.add_argument("action", choices=("up", "stop", "servers"))
    dev.add_argument("--detach", action="store_true", help="start and return (stop with `make stop`)")
    dev.add_argument("--no-sample", action="store_true", help="do not load sample data")
    dev.set_defaults(func=lambda a: importlib.import_module("shared.devrun").main(a))

    _add_optional(service_parsers, "grouping", "services.grouping.planner_cli")
    _add_optional(service_parsers, "grouping", "services.grouping.simulate_cli")
    _add_optional(service_parsers, "notifications", "services.notifications.rendering")
    _add_optional(service_parsers, "registration", "services.registration.bulk_import")
    _add_optional({"": commands}, "", "shared.messaging.dlq_cli")
    _add_optional({"": commands}, "", "shared.messaging.definitions")
    _add_optional({"": commands}, "", "shared.audit.retention")
    return parser


def _add_optional(parsers: dict, key: str, module_name: str) -> None:
    """Subcommands that live beside the code they drive (each module offers build_parser(subparsers))."""
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name == module_name:
            return
        raise
    module.build_parser(parsers[key])


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
