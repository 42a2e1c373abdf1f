"""`make test-dates`: the date-sensitive tiers run as if on the dates that used to break them.

Each date gets its own PostgreSQL and RabbitMQ, started under libfaketime together with pytest and every
service the tests start, so the database's `now()`, the broker, the services and the tests all share one
shifted clock. The shift is a fixed offset (`FAKETIME=+N`), not a start instant: every process started
later sees the same time as the ones before it, and the clock keeps running, so real waits stay real.

    python -m tests.support.date_runs                 # every date
    python -m tests.support.date_runs --only dst      # the dates whose label contains "dst"
    python -m tests.support.date_runs -- -k calendar  # extra pytest arguments after --
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from shared.local_servers import DEFAULT_RUN_DIR, LocalPorts, postgres_data_dir

OSLO = ZoneInfo("Europe/Oslo")
ROOT = Path(__file__).resolve().parents[2]

# Tiers whose outcome could depend on the date: everything about meetings, reminders, ages, waiting
# times and retention. The fault, TLS, deploy and tracing tests exercise servers, not dates.
DATE_SENSITIVE = [
    "tests/unit",
    "tests/integration/registration",
    "tests/integration/grouping",
    "tests/integration/calendar",
    "tests/integration/notifications",
    "tests/e2e/test_whole_flow.py",
    "tests/e2e/test_canary.py",
    "tests/browser",
]


@dataclass(frozen=True)
class TestDate:
    label: str
    local: datetime  # Oslo wall-clock; fold=0 picks the first of an ambiguous hour, the old offset of a gap

    @property
    def instant(self) -> datetime:
        return self.local.replace(tzinfo=OSLO)


def _at(label: str, *parts: int) -> TestDate:
    return TestDate(label, datetime(*parts))


# A week of ordinary days (Monday 1 February 2027 to Sunday 7 February, at noon), the two daylight-saving
# changes of 2027 (02:00 does not exist on 28 March and happens twice on 31 October), New Year's Eve late
# in the evening, Constitution Day and Christmas Eve.
DATES = [
    _at("monday", 2027, 2, 1, 12, 0),
    _at("tuesday", 2027, 2, 2, 12, 0),
    _at("wednesday", 2027, 2, 3, 12, 0),
    _at("thursday", 2027, 2, 4, 12, 0),
    _at("friday", 2027, 2, 5, 12, 0),
    _at("saturday", 2027, 2, 6, 12, 0),
    _at("sunday", 2027, 2, 7, 12, 0),
    _at("dst-spring-0130", 2027, 3, 28, 1, 30),
    _at("dst-spring-0230", 2027, 3, 28, 2, 30),
    _at("dst-autumn-0130", 2027, 10, 31, 1, 30),
    _at("dst-autumn-0230", 2027, 10, 31, 2, 30),
    _at("new-years-eve-2330", 2027, 12, 31, 23, 30),
    _at("constitution-day", 2027, 5, 17, 12, 0),
    _at("christmas-eve", 2027, 12, 24, 12, 0),
]

LIBFAKETIME = next(
    (
        path
        for path in (
            Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"),
            Path("/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1"),
            Path("/usr/lib/faketime/libfaketime.so.1"),
        )
        if path.exists()
    ),
    None,
)


def _say(message: str) -> None:
    print(f"[dates] {message}", flush=True)


def faked_environment(moment: datetime, run_dir: Path, ports: LocalPorts) -> dict[str, str]:
    offset = round(moment.timestamp() - time.time())
    inherited = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "RABBITMQ_URL")}
    return {
        **inherited,
        "LD_PRELOAD": str(LIBFAKETIME),
        "FAKETIME": f"{offset:+d}",
        # The monotonic clock is shifted by the same offset (it still runs at real speed): libfaketime
        # 0.9.10 answers EINVAL to Python's absolute monotonic sleeps when that clock is left real.
        "SELVHJELP_RUN_DIR": str(run_dir),
        "SELVHJELP_PG_PORT": str(ports.postgres),
        "SELVHJELP_AMQP_PORT": str(ports.amqp),
        "SELVHJELP_RABBIT_DIST_PORT": str(ports.rabbit_dist),
        "SELVHJELP_RABBIT_MGMT_PORT": str(ports.management),
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _stop_servers(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-c", "from shared.local_servers import stop_local_servers; stop_local_servers()"],
        cwd=ROOT,
        env=env,
        check=False,
    )


def _summary_line(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        if " passed" in line or " failed" in line or " error" in line:
            return line.strip("= ").strip()
    return lines[-1] if lines else "(no output)"


def run_date(
    test_date: TestDate, run_dir: Path, ports: LocalPorts, pytest_args: list[str]
) -> tuple[int, str]:
    env = faked_environment(test_date.instant, run_dir, ports)
    _stop_servers(env)  # left running by an interrupted run, they would keep that run's clock
    shutil.rmtree(run_dir / "rabbitmq", ignore_errors=True)  # a broker's state from another date
    started = subprocess.run(
        [sys.executable, "-m", "shared.cli", "dev", "servers"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if started.returncode != 0:
        _stop_servers(env)
        return started.returncode, f"servers did not start: {started.stderr.strip()[-500:]}"
    log = run_dir / f"pytest-{test_date.label}.log"
    try:
        with open(log, "w") as out:
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pytest",
                    "-q",
                    "-p",
                    "no:cacheprovider",
                    "--timeout=300",
                    *DATE_SENSITIVE,
                    *pytest_args,
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
    finally:
        _stop_servers(env)
    return result.returncode, f"{_summary_line(log.read_text(errors='replace'))}  (log: {log})"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    extra: list[str] = []
    if "--" in argv:
        extra, argv = argv[argv.index("--") + 1 :], argv[: argv.index("--")]
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="", help="run only the dates whose label contains this text")
    args = parser.parse_args(argv)
    if LIBFAKETIME is None:
        _say("libfaketime is missing: apt-get install faketime (make test-dates installs it)")
        return 2
    chosen = [d for d in DATES if args.only in d.label]
    if not chosen:
        _say(f"no date label contains {args.only!r}; labels: {', '.join(d.label for d in DATES)}")
        return 2
    run_dir = DEFAULT_RUN_DIR / "dates"
    run_dir.mkdir(parents=True, exist_ok=True)
    # Ports of their own: a `make run` or `make test` on the usual ports keeps going undisturbed.
    ports = LocalPorts(postgres=5462, amqp=5702, rabbit_dist=25702, management=15702)
    postgres_data_dir(run_dir)  # says where the data goes when the clone is private
    results = []
    for number, test_date in enumerate(chosen, 1):
        when = test_date.instant.strftime("%a %Y-%m-%d %H:%M %Z")
        _say(f"{number}/{len(chosen)} {test_date.label}: as if it were {when}")
        began = time.monotonic()
        code, summary = run_date(test_date, run_dir, ports, extra)
        results.append((test_date, code, summary, time.monotonic() - began))
        _say(f"    {'ok  ' if code == 0 else 'FAIL'} {summary} in {time.monotonic() - began:.0f} s")
    print()
    print(f"{'date':<20} {'as if (Oslo)':<24} {'time':>6}  result")
    for test_date, code, summary, seconds in results:
        when = test_date.instant.strftime("%a %Y-%m-%d %H:%M %Z")
        verdict = "ok  " if code == 0 else "FAIL"
        print(f"{test_date.label:<20} {when:<24} {seconds:>5.0f}s  {verdict} {summary.split('  (log')[0]}")
    failed = [r for r in results if r[1] != 0]
    print(f"{len(results) - len(failed)} of {len(results)} dates passed")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
