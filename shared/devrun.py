"""`make run`: the whole system on this machine, on private RabbitMQ and PostgreSQL instances.

Starts the servers (installing them when missing), migrates, starts the four services, loads a small
synthetic sample, prints the URLs and stays up until Ctrl-C; then stops everything it started.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request

from shared.cli import service_port
from shared.db.roles import service_database_url
from shared.devpartner import DemoPartner, create_demo_partners, demo_partner_lines
from shared.local_oidc import OIDC_CONSOLE_CLIENT, OIDC_PROVIDER_DIR
from shared.local_servers import DEFAULT_RUN_DIR, LocalPorts, ensure_local_servers, stop_local_servers
from shared.messaging.topology import SERVICES

RUN_DIR = DEFAULT_RUN_DIR
PID_FILE = RUN_DIR / "run.pid"
URLS_FILE = RUN_DIR / "urls.txt"
DATABASE = "selvhjelp"


def _say(message: str) -> None:
    print(message, flush=True)


def running_pid() -> int | None:
    try:
        pid = int(PID_FILE.read_text().strip())
        os.kill(pid, 0)
        return pid
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return None


def answers_ok(url: str, timeout: float = 1.0) -> bool:
    """Whether a GET of `url` answers 200 within `timeout` (a readiness probe, as Kubernetes would)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def wait_ready(urls: dict[str, str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    pending = dict(urls)
    while pending and time.monotonic() < deadline:
        for name, url in list(pending.items()):
            if answers_ok(url):
                del pending[name]
        time.sleep(0.3)
    if pending:
        raise RuntimeError(f"not ready after {timeout:.0f}s: {', '.join(pending)} (see {RUN_DIR}/logs)")


def local_sms_secret() -> str:
    """The secret a local SMS gateway would sign replies with: made once per run directory, so even a
    local run answers nobody's unsigned request (see docs/operations.md, "SMS replies")."""
    path = RUN_DIR / "sms-inbound-secret"
    if not path.exists():
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32))
        path.chmod(0o600)
    return path.read_text().strip()


def oidc_env(issuer: str) -> dict[str, str]:
    """Sign-in through the local OpenID provider (shared.local_oidc.start_oidc_provider)."""
    client_id, secret = OIDC_CONSOLE_CLIENT
    return {
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": client_id,
        "OIDC_CLIENT_SECRET": secret,
        "OIDC_PROVIDER_NAME": "lokal testinnlogging",
    }


def demo_sign_ins() -> list[str]:
    """The local provider's demo people, for the printed URLs and README."""
    users = json.loads((OIDC_PROVIDER_DIR / "users.json").read_text())["users"]
    lines = []
    for user in users:
        scope = user.get("district") or ",".join(user.get("municipalities", [])) or "all of Norway"
        lines.append(f"    {user['username']:<14} {user['password']:<16} {'+'.join(user['roles'])} ({scope})")
    return lines


def service_env(database_url: str, rabbitmq_url: str, oidc_issuer: str = "") -> dict[str, str]:
    return {
        **(oidc_env(oidc_issuer) if oidc_issuer else {}),
        # The sample district offices' mailboxes: a starter's "I cannot come" lands in .run/outbox-mail.
        "DISTRICT_OFFICE_EMAILS": '{"nord": "kontor.nord@example.org", "oslo-ost": "kontor.oslo@example.org"}',
        **os.environ,
        "DATABASE_URL": database_url,
        "RABBITMQ_URL": rabbitmq_url,
        "SELVHJELP_RUN_DIR": str(RUN_DIR),
        # A local run: the development keys, the pick-a-district sign-in, /docs and /metrics on each app,
        # the local sinks without TLS.
        "SELVHJELP_ENV": "development",
        "DEV_SIGN_IN": "true",  # the staff console's pick-a-district sign-in (never in production)
        # Everything local comes from 127.0.0.1, the sample loader's burst too: no per-client limit here.
        "REGISTRATION_RATE_LIMIT_PER_CLIENT": "",
        "SMS_INBOUND_SECRET": local_sms_secret(),
    }


def start_services(env: dict[str, str]) -> list[subprocess.Popen[bytes]]:
    logs = RUN_DIR / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    processes = []
    # The local SMTP and SMS sinks first: notifications sends to them, and they write what they get to
    # .run/outbox-mail and .run/outbox-sms for a person to read.
    commands = [["notifications", "sinks"], *([service, "run"] for service in SERVICES)]
    for command in commands:
        # Each service logs in as its own role, with rights on its own schema only (shared/db/roles.py);
        # the sinks use no database.
        own_env = env
        if command[1] == "run":
            own_env = {**env, "DATABASE_URL": service_database_url(env["DATABASE_URL"], command[0])}
        with open(logs / f"{command[0]}{'-sinks' if command[1] == 'sinks' else ''}.log", "ab") as log_file:
            processes.append(
                subprocess.Popen(
                    [sys.executable, "-m", "shared.cli", *command],
                    env=own_env,
                    stdout=log_file,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                )
            )
    return processes


def stop_processes(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def urls_text(management_url: str, oidc_issuer: str = "", partners: list[DemoPartner] | None = None) -> str:
    lines = ["", "selvhjelp is up. URLs:"]
    for service in SERVICES:
        base = f"http://127.0.0.1:{service_port(service)}"
        lines.append(f"  {service:<14} {base}/   API docs {base}/docs   events {base}/asyncapi.json")
        lines.append(f"  {'':<14} health {base}/health/ready")
    lines += [
        f"  registration form  http://127.0.0.1:{service_port('registration')}/",
        f"  RabbitMQ management {management_url}/  (guest/guest, loopback only)",
        f"  sent e-mail        {RUN_DIR}/outbox-mail/   (what the SMTP sink received)",
        f"  sent SMS           {RUN_DIR}/outbox-sms/",
        f"  SMS reply secret   {RUN_DIR}/sms-inbound-secret   (signs replies to /api/v1/sms/inbound: X-Gateway-Signature)",
        f"  logs               {RUN_DIR}/logs/",
    ]
    if oidc_issuer:
        lines += [
            f"  staff console      http://127.0.0.1:{service_port('grouping')}/staff/  (sign in with the "
            f"OpenID provider at {oidc_issuer}, or pick a district)",
            "  demo sign-ins      (user name, password, role):",
            *demo_sign_ins(),
        ]
    if partners:
        lines += [
            "  demo partner system (broker user, password; docs/partners.md):",
            *demo_partner_lines(partners),
        ]
    lines.append("")
    return "\n".join(lines)


def up(args: argparse.Namespace) -> int:
    pid = running_pid()
    if pid is not None:
        _say(f"selvhjelp is already running (pid {pid}); stop it with `make stop` or Ctrl-C in its terminal.")
        if URLS_FILE.exists():
            _say(URLS_FILE.read_text())
        return 1
    if args.detach:
        RUN_DIR.mkdir(parents=True, exist_ok=True)
        with open(RUN_DIR / "run.log", "ab") as log_file:
            child = [sys.executable, "-m", "shared.cli", "dev", "up"] + (
                ["--no-sample"] if args.no_sample else []
            )
            runner = subprocess.Popen(
                child, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not URLS_FILE.exists() and runner.poll() is None:
            time.sleep(0.5)
        if not URLS_FILE.exists():
            _say(f"did not come up; see {RUN_DIR}/run.log")
            return 1
        _say(URLS_FILE.read_text())
        return 0

    RUN_DIR.mkdir(parents=True, exist_ok=True)
    PID_FILE.write_text(str(os.getpid()))
    URLS_FILE.unlink(missing_ok=True)
    processes: list[subprocess.Popen[bytes]] = []
    stopping = False

    def on_signal(signum, frame):  # noqa: ARG001
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        servers = ensure_local_servers(RUN_DIR, LocalPorts())
        database_url = servers.database_url.rsplit("/", 1)[0] + f"/{DATABASE}"
        from shared.db.migrate import migrate

        migrate(database_url)
        if not args.no_sample:
            import asyncio

            from services.calendar.sample import load_sample_into

            asyncio.run(load_sample_into(database_url))  # venues and starters in Bodø and Oslo
        env = service_env(database_url, servers.rabbitmq_url, servers.oidc_issuer)
        processes = start_services(env)
        wait_ready({s: f"http://127.0.0.1:{service_port(s)}/health/ready" for s in SERVICES})
        if not args.no_sample:
            from shared.sample import load_sample

            count = load_sample(f"http://127.0.0.1:{service_port('registration')}")
            _say(f"loaded {count} sample registrations")
        # After the services are up: registration has declared the partners' reply queues by then.
        partners = create_demo_partners(servers.management_url, servers.rabbitmq_url, RUN_DIR)
        text = urls_text(servers.management_url, servers.oidc_issuer, partners)
        URLS_FILE.write_text(text)
        _say(text + "Press Ctrl-C to stop.")
        while not stopping:
            for service, process in zip(("sinks", *SERVICES), processes, strict=True):
                if process.poll() is not None:
                    _say(f"{service} exited with {process.returncode}; see {RUN_DIR}/logs/{service}.log")
                    stopping = True
            time.sleep(0.5)
    finally:
        _say("stopping services and servers…")
        stop_processes(processes)
        stop_local_servers(RUN_DIR)
        PID_FILE.unlink(missing_ok=True)
        URLS_FILE.unlink(missing_ok=True)
        _say("stopped.")
    return 0


def stop() -> int:
    pid = running_pid()
    if pid is None:
        _say("selvhjelp is not running.")
        return 0
    os.kill(pid, signal.SIGTERM)
    _say("stopping (services finish their in-flight messages first)…")
    for _ in range(360):
        if running_pid() is None:
            _say("stopped.")
            return 0
        time.sleep(0.5)
    _say(f"pid {pid} did not stop within 180 s; see {RUN_DIR}/run.log")
    return 1


def main(args: argparse.Namespace) -> int:
    if args.action == "up":
        return up(args)
    if args.action == "stop":
        return stop()
    servers = ensure_local_servers(RUN_DIR, LocalPorts())
    _say(
        f"DATABASE_URL={servers.database_url}\nRABBITMQ_URL={servers.rabbitmq_url}\nOIDC_ISSUER={servers.oidc_issuer}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(argparse.Namespace(action="up", detach=False, no_sample=False)))
