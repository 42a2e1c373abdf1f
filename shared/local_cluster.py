"""A three-node RabbitMQ cluster and a PostgreSQL primary with a synchronous standby, on loopback, as local
processes: the distributed engine of the national deployment (the Cluster Operator's three nodes,
CloudNativePG's synchronous replica) on one machine, for the cluster test tier (tests/cluster/).

Built on shared/local_servers.py: each node is a `start_rabbitmq` / `start_postgres` of its own run
directory and ports. What is added here is what makes them one cluster: one Erlang cookie and
`join_cluster`, `pg_basebackup -R` and `synchronous_standby_names`, and the operator's failover step.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from shared.local_servers import (
    PG_BIN,
    LocalPorts,
    _as_postgres_user,
    _log,
    _rabbit_env,
    postgres_base,
    rabbitmq_pids,
    start_postgres,
    start_rabbitmq,
    stop_rabbitmq,
)

RABBITMQCTL = Path("/usr/lib/rabbitmq/bin/rabbitmqctl")
COMMAND_TIMEOUT = 120


def _wait_closed(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            sock.settimeout(0.3)
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"port {port} still accepts connections {timeout:.0f} s after the kill")


def _kill_pids(pids: list[int]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@dataclass
class RabbitNode:
    run_dir: Path
    ports: LocalPorts

    @property
    def name(self) -> str:
        return f"selvhjelp{self.ports.amqp}@localhost"  # shared/local_servers.py's node name

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.ports.amqp}"

    @property
    def management_url(self) -> str:
        return f"http://127.0.0.1:{self.ports.management}"

    def ctl(self, *args: str, timeout: float = COMMAND_TIMEOUT) -> str:
        result = subprocess.run(
            [str(RABBITMQCTL), "-n", self.name, *args],
            env=_rabbit_env(self.run_dir, self.ports),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"rabbitmqctl {' '.join(args)} on {self.name}: {result.stderr or result.stdout}"
            )
        return result.stdout

    def start(self, cookie: str) -> None:
        home = self.run_dir / "rabbitmq"
        home.mkdir(parents=True, exist_ok=True)
        cookie_file = home / ".erlang.cookie"  # HOME of the node and of rabbitmqctl: one cookie, one cluster
        if not cookie_file.exists():
            cookie_file.write_text(cookie)
            cookie_file.chmod(0o400)
        start_rabbitmq(
            self.run_dir,
            self.ports,
            (
                # A minority side stops serving rather than diverging (what the Cluster Operator sets).
                "cluster_partition_handling = pause_minority",
                "log.file.level = error",
            ),
        )

    def kill(self) -> None:
        """SIGKILL every process of the node (the Erlang VM and its helpers), as a node loss would."""
        _kill_pids(rabbitmq_pids(self.ports.amqp))
        _wait_closed(self.ports.amqp)

    def kill_if_running(self) -> None:
        """The end of a test run: whatever is left of the node goes, at once."""
        if rabbitmq_pids(self.ports.amqp):
            self.kill()

    def stop(self) -> None:
        """SIGTERM: the node hands its queues' leadership over and leaves cleanly (a rolling restart)."""
        stop_rabbitmq(self.run_dir, self.ports)
        _wait_closed(self.ports.amqp)


@dataclass
class RabbitCluster:
    nodes: list[RabbitNode]
    cookie: str = field(default_factory=lambda: secrets.token_hex(20))

    @classmethod
    def on_ports(cls, base: Path, amqp: list[int], dist: list[int], management: list[int]) -> RabbitCluster:
        return cls(
            [
                RabbitNode(
                    base / f"rabbit{k + 1}", LocalPorts(postgres=0, amqp=a, rabbit_dist=d, management=m)
                )
                for k, (a, d, m) in enumerate(zip(amqp, dist, management, strict=True))
            ]
        )

    def url(self, vhost: str = "", query: str = "") -> str:
        hosts = ",".join(node.host for node in self.nodes)
        return f"amqp://guest:guest@{hosts}/{vhost}" + (f"?{query}" if query else "")

    def start(self) -> None:
        """Node 1, then nodes 2 and 3 joining it (about 20 s here)."""
        first, *others = self.nodes
        first.start(self.cookie)
        for node in others:
            node.start(self.cookie)
            if first.name not in node.ctl("cluster_status"):
                node.ctl("stop_app")
                node.ctl("reset")
                node.ctl("join_cluster", first.name)
                node.ctl("start_app")
        _log(f"RabbitMQ cluster of {len(self.nodes)} nodes: {', '.join(n.name for n in self.nodes)}")

    def restart(self, node: RabbitNode) -> None:
        """Start a killed or stopped node again: it rejoins with its own data (6–8 s here)."""
        node.start(self.cookie)

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


@dataclass
class PostgresNode:
    run_dir: Path
    port: int

    @property
    def data(self) -> Path:
        return postgres_base(self.run_dir) / "postgres"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def pg_ctl(self, *args: str) -> None:
        result = subprocess.run(
            _as_postgres_user([str(PG_BIN / "pg_ctl"), "-D", str(self.data), *args]),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"pg_ctl {' '.join(args)}: {result.stderr or result.stdout}")

    def psql(self, sql: str) -> str:
        result = subprocess.run(
            _as_postgres_user(
                [
                    str(PG_BIN / "psql"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    "postgres",
                    "-At",
                    "-c",
                    sql,
                ]
            ),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"psql on :{self.port}: {result.stderr}")
        return result.stdout.strip()

    def pids(self) -> list[int]:
        """The postmaster and its children (backends, WAL sender or receiver, checkpointer, ...)."""
        pid_file = self.data / "postmaster.pid"
        if not pid_file.exists():
            return []
        postmaster = int(pid_file.read_text().split()[0])
        pids = [postmaster]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == postmaster:
                        pids.append(int(entry.name))
                except (OSError, ValueError, IndexError):
                    continue
        return pids

    def kill(self) -> None:
        """SIGKILL the postmaster and every child: the server is gone as a lost pod is."""
        _kill_pids(self.pids())
        _wait_closed(self.port)

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres_user(
                    [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"]
                ),
                capture_output=True,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )


@dataclass
class PostgresPair:
    """A primary and a synchronous standby (`pg_basebackup -R`): a commit returns once the standby has it."""

    primary: PostgresNode
    standby: PostgresNode

    @classmethod
    def on_ports(cls, base: Path, ports: list[int]) -> PostgresPair:
        for name in ("pg1", "pg2"):
            (base / name).mkdir(parents=True, exist_ok=True)
            if os.geteuid() == 0:
                (base / name).chmod(0o777)  # the postgres user makes its data directory here
        return cls(PostgresNode(base / "pg1", ports[0]), PostgresNode(base / "pg2", ports[1]))

    @property
    def nodes(self) -> list[PostgresNode]:
        return [self.primary, self.standby]

    def url(self, database: str = "postgres") -> str:
        """Both servers; asyncpg tries them in order and takes the one that accepts writes."""
        hosts = "&".join(f"host={node.host}" for node in self.nodes)
        return f"postgresql+asyncpg://postgres@/{database}?{hosts}&target_session_attrs=read-write"

    def start(self) -> None:
        start_postgres(self.primary.run_dir, self.primary.port)
        # In postgresql.auto.conf, so the standby's copy carries it too: after a promotion it waits for a
        # standby of its own until the failover step clears it (as CloudNativePG does).
        self.primary.psql("ALTER SYSTEM SET synchronous_standby_names = '*'")
        self.primary.psql("SELECT pg_reload_conf()")
        if not (self.standby.data / "PG_VERSION").exists():
            result = subprocess.run(
                _as_postgres_user(
                    [
                        str(PG_BIN / "pg_basebackup"),
                        *("-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres"),
                        *("-D", str(self.standby.data), "-R", "-X", "stream", "--checkpoint=fast"),
                    ]
                ),
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
            if result.returncode != 0:
                raise RuntimeError(f"pg_basebackup: {result.stderr}")
        start_postgres(self.standby.run_dir, self.standby.port)
        deadline = time.monotonic() + 60
        while self.primary.psql("SELECT count(*) FROM pg_stat_replication WHERE sync_state = 'sync'") != "1":
            if time.monotonic() > deadline:
                raise RuntimeError("the standby did not become synchronous within 60 s")
            time.sleep(0.3)
        _log(f"PostgreSQL primary :{self.primary.port} with synchronous standby :{self.standby.port}")

    def fail_over(self) -> float:
        """The operator's step after losing the primary: promote the standby, then stop it waiting for a
        synchronous standby it no longer has. Returns the seconds it took."""
        started = time.monotonic()
        self.standby.pg_ctl("promote", "-w")
        self.standby.psql("ALTER SYSTEM SET synchronous_standby_names = ''")
        self.standby.psql("SELECT pg_reload_conf()")
        return time.monotonic() - started

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()
