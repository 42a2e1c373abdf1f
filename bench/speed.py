"""The speed proofs (issue #9): the whole system, four services as separate processes on this machine's
RabbitMQ and PostgreSQL, against limits measured in the same run on the same servers.

    .venv/bin/python bench/speed.py            # 3 runs: 10,000 registrations end to end, 50/s paced for 30 s
    .venv/bin/python bench/speed.py --quick    # 1 run, 2,000 end to end, 50/s for 10 s (development)

Each run, each phase in its own fresh database (migrated) and vhost, dropped afterwards:

1. limits: a raw AMQP hop (aio-pika, one process: persistent publish with confirms → quorum queue →
   consume with ack) and raw PostgreSQL commits (single-row INSERT + COMMIT, one process, on one connection
   and on as many connections as the HTTP intake has requests in flight), and raw SMTP (aiosmtplib over 5
   kept-open sessions to the local SMTP sink, both in one process): the ceiling of the invitations.
2. intake: only the registration service runs. Registrations accepted over HTTP (POST
   /api/v1/registrations, 202 after commit, N requests in flight) and over AMQP (registration.submitted.v1
   envelopes published to the intake exchange, counted when their row is committed).
3. end to end: registrations published to the intake as another system would, as fast as the broker takes
   them, until every group formed is scheduled (or failed) and every invitation is recorded as sent to the
   local SMTP sink. Latency per invited person: invitation `sent_at` − the moment its registration was
   published. The planner forms groups of 4-8 compatible people, so not everyone is invited.
4. paced: the same at an offered load (50 registrations/s). Also the earliest moment anyone could have
   invited the same people: when the third person each could share a group with had registered
   (bench/earliest.py), a lower bound for any planner.

Prints progress to stderr, then per run where the time of an invited person went, and at the end one
table: each figure's median over the runs, its limit, the ratio and the target.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import shutil
import signal
import sys
import tempfile
from pathlib import Path

# Run as a script: bench/ is on the path already (its modules import each other by name); the repository
# root, for services/ and shared/, is not.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from common import PhaseFailed, code_version, say  # noqa: E402
from phase_flow import flow  # noqa: E402
from phase_intake import intake  # noqa: E402
from phase_limits import limits  # noqa: E402
from report import print_stages, print_table  # noqa: E402

from shared.local_servers import ensure_local_servers  # noqa: E402


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="1 run, 2,000 end to end, 50/s for 10 s")
    parser.add_argument("--runs", type=int, default=None, help="runs (default 3; 1 with --quick)")
    parser.add_argument("--registrations", type=int, default=None, help="end to end (default 10,000)")
    parser.add_argument("--intake", type=int, default=None, help="registrations per intake measure")
    parser.add_argument("--concurrency", type=int, default=16, help="HTTP requests in flight, db connections")
    parser.add_argument("--paced-rate", type=float, default=50.0)
    parser.add_argument("--paced-seconds", type=float, default=None, help="default 30 (10 with --quick)")
    parser.add_argument("--hop-messages", type=int, default=None)
    parser.add_argument("--db-commits", type=int, default=None)
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds a phase may take")
    parser.add_argument("--stall", type=float, default=180.0, help="seconds without any progress")
    parser.add_argument(
        "--phases", default="limits,intake,e2e,paced", help="comma-separated subset (development)"
    )
    parser.add_argument("--keep-logs", action="store_true", help="keep the services' logs and sinks' mail")
    args = parser.parse_args()
    quick = args.quick
    args.runs = args.runs or (1 if quick else 3)
    args.registrations = args.registrations or (2000 if quick else 10_000)
    args.intake = args.intake or (1000 if quick else 3000)
    args.paced_seconds = args.paced_seconds or (10.0 if quick else 30.0)
    args.hop_messages = args.hop_messages or (2000 if quick else 5000)
    args.db_commits = args.db_commits or (2000 if quick else 4000)
    phases = set(args.phases.split(","))
    args.versions = []

    servers = ensure_local_servers()
    log_root = Path(tempfile.mkdtemp(prefix="selvhjelp-bench-"))
    figures: dict[str, list[float]] = {}
    failures: list[str] = []
    warnings: list[str] = []

    def note(key: str, value: float) -> None:
        figures.setdefault(key, []).append(value)

    try:
        for run in range(args.runs):
            seed = 1000 + run
            args.versions.append(code_version())
            say(f"== run {run + 1}/{args.runs} (code {args.versions[-1]})")
            logs = log_root / f"run{run + 1}"
            paced_n = int(args.paced_rate * args.paced_seconds)
            for phase in ("limits", "intake", "e2e", "paced"):
                if phase not in phases:
                    continue
                try:  # the machine is shared: start the local servers again if someone stopped them
                    servers = await asyncio.to_thread(ensure_local_servers)
                except Exception as error:
                    failures.append(f"run {run + 1}, {phase}: servers not available: {error}")
                    continue
                if phase == "limits":
                    step = limits(servers, args)
                elif phase == "intake":
                    step = intake(servers, args, logs, seed)
                elif phase == "e2e":
                    step = flow(servers, args, logs, seed, args.registrations, rate=None, label="e2e")
                else:
                    step = flow(servers, args, logs, seed + 500, paced_n, rate=args.paced_rate, label="paced")
                try:
                    result = await step
                except Exception as error:  # report it and go on with the other phases
                    detail = (
                        str(error) if isinstance(error, PhaseFailed) else f"{type(error).__name__}: {error}"
                    )
                    message = f"run {run + 1}, {phase}: {detail}"
                    say("FAILED " + message)
                    failures.append(message)
                    continue
                if phase in ("limits", "intake"):
                    for key, value in result.items():
                        note(key, value)
                else:
                    print_stages(f"run {run + 1}, {phase}", result)
                    prefix = phase
                    if phase == "e2e":
                        note("e2e", result.rate)
                        note("e2e_invitation_rate", result.invited / result.seconds)
                        note("e2e_groups", result.groups)
                        note("e2e_failed", result.failed)
                        for service, mb in result.peak_mb.items():
                            note(f"rss_{service}", mb)
                    else:
                        note("paced_offered", result.offered)
                        note("paced_complete_p99", result.after_group_complete["p99"])
                        note("paced_earliest_p99", result.earliest.get("p99", math.nan))
                    note(f"{prefix}_invited", result.invited)
                    note(f"{prefix}_dead", sum(result.dead_lettered.values()))
                    warnings += [f"run {run + 1}: {problem}" for problem in result.problems]
                    for p, value in result.latency.items():
                        note(f"{prefix}_{p}", value)

    except asyncio.CancelledError:
        if not args.keep_logs:
            shutil.rmtree(log_root, ignore_errors=True)
        raise

    met = print_table(figures, args)
    if warnings:
        print("\nfinished short of every invitation:")
        for message in warnings:
            print(f"  {message}")
    if failures:
        print("\nphases that did not finish:")
        for message in failures:
            print(f"  {message}")
    if args.keep_logs or failures:
        print(f"\nservice logs: {log_root}")
    else:
        shutil.rmtree(log_root, ignore_errors=True)
    print("\nevery target met" if met and not failures else "\nnot every target met")
    return 1 if failures else 0


async def stoppable(work) -> int:
    """Run `work`; on SIGTERM cancel it, so every phase still stops its services and drops its database
    and vhost on the way out."""
    task = asyncio.ensure_future(work)
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        return await task
    except asyncio.CancelledError:
        say("stopped (SIGTERM); services stopped, databases and vhosts dropped")
        return 143


if __name__ == "__main__":
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import logging

    logging.disable(logging.WARNING)
    raise SystemExit(asyncio.run(stoppable(main())))
