"""Private PostgreSQL and RabbitMQ instances (and the OpenID provider, shared.local_oidc) under `.run/` for `make run` and `make test`.

Used when no Docker engine answers (our build machines). Both listen on loopback only, on non-default
ports, and are reused when already up, so `make test` during a `make run` shares them safely (tests
work in fresh databases and vhosts).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
RABBIT_SERVER = Path("/usr/lib/rabbitmq/bin/rabbitmq-server")
DEFAULT_RUN_DIR = Path(os.environ.get("SELVHJELP_RUN_DIR", Path(__file__).resolve().parent.parent / ".run"))


@dataclass(frozen=True)
class LocalPorts:
    postgres: int = int(os.environ.get("SELVHJELP_PG_PORT", "5442"))
    amqp: int = int(os.environ.get("SELVHJELP_AMQP_PORT", "5682"))
    rabbit_dist: int = int(os.environ.get("SELVHJELP_RABBIT_DIST_PORT", "25682"))
    management: int = int(os.environ.get("SELVHJELP_RABBIT_MGMT_PORT", "15682"))
    oidc: int = int(os.environ.get("SELVHJELP_OIDC_PORT", "5556"))


@dataclass(frozen=True)
class LocalServers:
    database_url: str
    rabbitmq_url: str
    management_url: str
    oidc_issuer: str = ""


def _log(message: str) -> None:
    print(f"[local] {message}", file=sys.stderr, flush=True)


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.3)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_for(check, what: str, timeout: float, log_file: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    tail = log_file.read_text(errors="replace")[-2000:] if log_file and log_file.exists() else ""
    raise RuntimeError(f"{what} did not come up within {timeout:.0f}s. {tail}")


def _as_postgres_user(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", "postgres", "--", *args]


def ensure_packages() -> None:
    """apt-get what is missing (root on Debian). A no-op when everything is installed."""
    missing = []
    if not (PG_BIN / "initdb").exists():
        missing.append("postgresql")
    if not RABBIT_SERVER.exists():
        missing.append("rabbitmq-server")
    if not missing:
        return
    if os.geteuid() != 0:
        raise RuntimeError(f"please install {' '.join(missing)} (apt-get install -y {' '.join(missing)})")
    _log(f"installing {' '.join(missing)} with apt-get (first run only)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, env=env)
    # Debian starts a system-wide broker on 5672 after install; ours is private, so stop that one.
    subprocess.run(["service", "rabbitmq-server", "stop"], check=False, capture_output=True)


# Where the data directory goes when the postgres user cannot reach the run directory (a clone in root's
# 0700 home or in a `mktemp -d` folder): the postgres user's own home, one folder per run directory.
POSTGRES_HOME = Path(os.environ.get("SELVHJELP_PG_HOME", "/var/lib/postgresql/selvhjelp"))


def _postgres_can_reach(directory: Path) -> bool:
    """Whether the postgres user can enter `directory` (every folder above it must let it through)."""
    result = subprocess.run(
        _as_postgres_user(["test", "-x", str(directory)]), check=False, capture_output=True
    )
    return result.returncode == 0


def postgres_base(run_dir: Path) -> Path:
    """The folder holding a run directory's PostgreSQL data (`postgres/`) and log (`postgres.log`).

    The run directory itself when the postgres user can reach it; else a folder of the postgres user's
    own, named after the run directory, with a link `<run_dir>/postgres` pointing at it so people find
    the data where they expect it. Both the start and the stop go through here, so they agree."""
    run_dir = run_dir.resolve()
    run_dir.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or _postgres_can_reach(run_dir):
        return run_dir
    base = POSTGRES_HOME / hashlib.sha256(str(run_dir).encode()).hexdigest()[:16]
    if not base.exists():
        base.mkdir(parents=True)
        for folder in (POSTGRES_HOME, base):
            shutil.chown(folder, "postgres", "postgres")
            folder.chmod(0o700)
        _log(
            f"the postgres user cannot enter {run_dir} (a folder above it is private), "
            f"so PostgreSQL keeps its data in {base} (linked from {run_dir / 'postgres'})"
        )
    link = run_dir / "postgres"
    if not link.is_symlink():
        if link.exists():
            shutil.rmtree(link)  # an unusable data directory left by an older set-up
        link.symlink_to(base / "postgres")
    (base / "run_dir.txt").write_text(f"{run_dir}\n")  # which clone this belongs to, for people cleaning up
    return base


def remove_postgres_data(run_dir: Path) -> None:
    """`make clean`: the data directory goes too when it was kept outside the clone."""
    base = postgres_base(run_dir)
    if base != run_dir.resolve():
        shutil.rmtree(base, ignore_errors=True)


def postgres_data_dir(run_dir: Path) -> Path:
    return postgres_base(run_dir) / "postgres"


def start_postgres(run_dir: Path, port: int, extra_options: str = "") -> str:
    url = f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"
    if _port_open(port):
        return url
    base = postgres_base(run_dir)
    data = base / "postgres"
    log_file = base / "postgres.log"
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(data, "postgres", "postgres")
            data.chmod(0o700)
        _log(f"initialising PostgreSQL data directory {data}")
        initdb = subprocess.run(
            _as_postgres_user(
                [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
            ),
            check=False,
            capture_output=True,
            text=True,
        )
        if initdb.returncode != 0:
            raise RuntimeError(f"initdb failed for {data}: {initdb.stderr.strip() or initdb.stdout.strip()}")
    log_file.touch()
    if os.geteuid() == 0:
        shutil.chown(log_file, "postgres", "postgres")
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={data} -c max_connections=400"
        f" {extra_options}"
    ).strip()
    _log(f"starting PostgreSQL on 127.0.0.1:{port}")
    started = subprocess.run(
        _as_postgres_user(
            [str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(log_file), "-o", options, "-w", "start"]
        ),
        check=False,
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        tail = log_file.read_text(errors="replace")[-2000:] if log_file.exists() else ""
        raise RuntimeError(f"PostgreSQL did not start ({started.stderr.strip()}). {tail}")
    _wait_for(lambda: _port_open(port), "PostgreSQL", 30, log_file)
    return url


def stop_postgres(run_dir: Path) -> None:
    data = postgres_data_dir(run_dir)
    if (data / "postmaster.pid").exists():
        subprocess.run(
            _as_postgres_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
            check=False,
            capture_output=True,
        )


def _rabbit_env(run_dir: Path, ports: LocalPorts) -> dict[str, str]:
    base = run_dir / "rabbitmq"
    return {
        **os.environ,
        "HOME": str(base),
        "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
        "RABBITMQ_LOG_BASE": str(base / "log"),
        "RABBITMQ_NODENAME": f"selvhjelp{ports.amqp}@localhost",
        "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
        "RABBITMQ_NODE_PORT": str(ports.amqp),
        "RABBITMQ_DIST_PORT": str(ports.rabbit_dist),
        "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq"),
        "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
        "RABBITMQ_FEATURE_FLAGS_FILE": str(base / "feature_flags"),
        "RABBITMQ_PID_FILE": str(base / "rabbitmq.pid"),
        "ERL_EPMD_ADDRESS": "127.0.0.1",
    }


def _management_ok(ports: LocalPorts) -> bool:
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{ports.management}/api/overview")
        request.add_header("Authorization", "Basic " + b64encode(b"guest:guest").decode())
        with urllib.request.urlopen(request, timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def start_rabbitmq(run_dir: Path, ports: LocalPorts, extra_config: tuple[str, ...] = ()) -> str:
    url = f"amqp://guest:guest@127.0.0.1:{ports.amqp}/"
    if _port_open(ports.amqp) and _management_ok(ports):
        return url
    base = run_dir / "rabbitmq"
    (base / "log").mkdir(parents=True, exist_ok=True)
    (base / "rabbitmq.conf").write_text(
        "\n".join(
            [
                f"listeners.tcp.default = 127.0.0.1:{ports.amqp}",
                f"management.tcp.port = {ports.management}",
                "management.tcp.ip = 127.0.0.1",
                "loopback_users.guest = true",
                "log.console = false",
                "log.file.level = warning",
                # A test broker with thousands of short-lived vhosts and queues must not run out of disk alarms.
                "disk_free_limit.absolute = 200MB",
                *extra_config,
                "",
            ]
        )
    )
    (base / "enabled_plugins").write_text("[rabbitmq_management].\n")
    _log(f"starting RabbitMQ on 127.0.0.1:{ports.amqp} (management on :{ports.management})")
    log_file = base / "log" / "stdout.log"
    with open(log_file, "ab") as out:
        subprocess.Popen(
            [str(RABBIT_SERVER)],
            env=_rabbit_env(run_dir, ports),
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    _wait_for(lambda: _port_open(ports.amqp) and _management_ok(ports), "RabbitMQ", 90, log_file)
    return url


def rabbitmq_pids(amqp_port: int) -> list[int]:
    """The broker's processes (start script, Erlang VM, helpers). They carry our private node name in their
    environment, not on their command line; epmd, shared by every node, does not."""
    marker = f"RABBITMQ_NODENAME=selvhjelp{amqp_port}@localhost".encode()
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if marker in (entry / "environ").read_bytes().split(b"\0"):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def stop_rabbitmq(run_dir: Path, ports: LocalPorts | None = None) -> None:
    """SIGTERM (the Erlang VM shuts down cleanly on it), then SIGKILL whatever is left after 30 s."""
    ports = ports or LocalPorts()
    pids = rabbitmq_pids(ports.amqp)
    for signal_number in (15, 9):
        for pid in pids:
            try:
                os.kill(pid, signal_number)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (pids := [p for p in pids if Path(f"/proc/{p}").exists()]):
            time.sleep(0.2)
        if not pids:
            return


def ensure_local_servers(run_dir: Path = DEFAULT_RUN_DIR, ports: LocalPorts | None = None) -> LocalServers:
    ports = ports or LocalPorts()
    ensure_packages()
    database_url = start_postgres(run_dir, ports.postgres)
    rabbitmq_url = start_rabbitmq(run_dir, ports)
    from shared.local_oidc import start_oidc_provider

    oidc_issuer = start_oidc_provider(run_dir, ports.oidc)
    return LocalServers(
        database_url=database_url,
        rabbitmq_url=rabbitmq_url,
        management_url=f"http://127.0.0.1:{ports.management}",
        oidc_issuer=oidc_issuer,
    )


def stop_local_servers(run_dir: Path = DEFAULT_RUN_DIR) -> None:
    from shared.local_oidc import stop_oidc_provider

    stop_oidc_provider(run_dir)
    stop_rabbitmq(run_dir)
    stop_postgres(run_dir)


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if args and args[0] == "stop":
        stop_local_servers()
        return 0
    servers = ensure_local_servers()
    print(json.dumps(servers.__dict__))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
