"""`selvhjelp registration import FILE.csv`: bulk import for district offices moving from spreadsheets.

The CSV needs a header row; columns may come in any order, `,` or `;` separated (as Excel saves it in
Norway), UTF-8 with or without BOM. Every row goes through the same rules as the API and the form.

| column | required | value |
|---|---|---|
| name | yes | what the person wants to be called |
| email, mobile | one of them | e-mail address; Norwegian mobile (8 digits, 4 or 9 first, +47 optional) |
| birth_date | yes | YYYY-MM-DD or DD.MM.YYYY; 18 or older today |
| gender | yes | female, male, other, unspecified |
| municipality | yes | municipality number (2026); a spreadsheet's 301 is read as 0301 |
| topic | yes | grief, anxiety, depression, loneliness, relatives, addiction, chronic_illness, cancer, life_crisis, self_image, violence, other |
| topic_text | no | free text, at most 1000 characters |
| composition | no | same_topic, cross_topic, any (default) |
| format | no | in_person, digital, any (default) |
| availability | yes | weekly slots separated by space, comma or semicolon, e.g. `tue_evening thu_daytime` |
| single_gender | no | yes/no, ja/nei, true/false, 1/0 (default no) |
| language | no | nb (default), nn, en |
| external_ref | no | the office's own id of the row; when empty, one is derived from name, contact and birth date |
| consent_version | yes | version of the consent text the person agreed to |
| consent_given_at | yes | when they agreed: YYYY-MM-DD or an ISO 8601 time |

A row is stored with its `registration.accepted.v1` and `participant.contact_registered.v1` in the outbox, in
the same transaction (batches of `--batch-size` rows); the registration service's relay publishes them. The
reference (given or derived) makes a re-import of the same file create nothing twice. The report gives the
row number (as the spreadsheet shows it: the header is row 1) and the reason of every rejected row, never
its content. Exit status 1 when any row was rejected. Example: docs/examples/registrations.csv.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import re
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts import Envelope, RegistrationDetails
from shared.db import create_engine

from . import commands, domain
from .import_report import ImportReport, ProgressBar, print_report, write_rejections
from .models import registrations

SOURCES = ("district_office", "contact_point")
_TRUE = {"yes", "ja", "true", "1", "y", "j", "x"}
_FALSE = {"", "no", "nei", "false", "0", "n"}
_SLOT_SEPARATORS = re.compile(r"[\s,;]+")
_NORWEGIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
REGISTRATION_EXCHANGE = "selvhjelp.registration"


class RowRejected(Exception):
    pass


# --- reading -----------------------------------------------------------------------------------------
def read_rows(path: Path) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """(row number, cells) of every data row, and the header. Row numbers are the spreadsheet's."""
    text = path.read_text(encoding="utf-8-sig")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue  # blank lines at the end of a sheet are not rows
        rows.append((number, dict(zip(header, cells, strict=False))))
    return rows, header


def _birth_date(text: str) -> str:
    match = _NORWEGIAN_DATE.match(text)
    return f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}" if match else text


def _yes_no(text: str, column: str) -> bool:
    value = text.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise RowRejected(f"{column}: use yes or no")


def _consent_time(text: str) -> str:
    value = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return f"{value}T00:00:00+00:00"
    return value


def derived_reference(cells: dict[str, str], identity_key: bytes) -> str:
    """A stable reference for a row without one, so importing the same person twice makes one registration.

    Keyed (HMAC with settings.identity_hmac_key): a plain hash of name, contact and birth date could be
    computed by anyone who knows those details.
    """
    identity = "|".join(cells.get(c, "").strip().lower() for c in ("name", "email", "mobile", "birth_date"))
    return "import-" + domain.keyed_digest(identity_key, identity).hex()[:32]


def details_from_row(cells: dict[str, str], source: str, identity_key: bytes) -> RegistrationDetails:
    """Raises RowRejected or pydantic's ValidationError."""

    def cell(name: str) -> str:
        return (cells.get(name) or "").strip()

    if not cell("consent_version") or not cell("consent_given_at"):
        raise RowRejected("consent_version and consent_given_at are required: the person's recorded consent")
    municipality = cell("municipality")
    if municipality.isdigit() and len(municipality) == 3:
        municipality = "0" + municipality  # the spreadsheet ate the leading zero
    body: dict[str, Any] = {
        "participant": {
            "name": cell("name"),
            "email": cell("email") or None,
            "mobile": cell("mobile") or None,
        },
        "birth_date": _birth_date(cell("birth_date")),
        "gender": cell("gender").lower(),
        "municipality": municipality,
        "topic": cell("topic").lower(),
        "topic_text": cell("topic_text") or None,
        "composition": cell("composition").lower() or "any",
        "format": cell("format").lower() or "any",
        "availability": [s for s in _SLOT_SEPARATORS.split(cell("availability").lower()) if s],
        "single_gender": _yes_no(cell("single_gender"), "single_gender"),
        "language": cell("language").lower() or "nb",
        "source": source,
        "external_ref": cell("external_ref") or derived_reference(cells, identity_key),
        "consent": {
            "version": cell("consent_version"),
            "given_at": _consent_time(cell("consent_given_at")),
            "sensitive_data": True,  # a recorded consent covers the topic (GDPR art. 9); see the docstring
        },
    }
    return RegistrationDetails.model_validate(body)


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}"
            for e in error.errors(include_input=False, include_url=False)
        )
    if isinstance(error, domain.RegistrationRefused):
        return "; ".join(f"{p.field}: {p.message}" for p in error.problems)
    return str(error)


# --- validating and storing --------------------------------------------------------------------------
@dataclass
class _Prepared:
    number: int
    participant_id: Any
    row: dict[str, Any]
    events: list[dict[str, Any]]


def prepare(
    number: int, cells: dict[str, str], source: str, today: date, now: datetime, identity_key: bytes
) -> _Prepared:
    details = details_from_row(cells, source, identity_key)
    district = domain.check(details, today)
    participant_id = domain.participant_id_for(details.source, details.external_ref, identity_key)
    correlation_id = uuid.uuid4()
    events = []
    for event in (
        domain.accepted_event(participant_id, details, district, now),
        domain.contact_event(participant_id, details),
    ):
        # Built without re-validating what was just validated: the same envelope `event.envelope()` makes,
        # at a fraction of the cost (a unit test holds the two equal).
        envelope = Envelope[type(event)].model_construct(
            event_id=uuid.uuid4(),
            event_type=event.EVENT_TYPE,
            schema_version=1,
            occurred_at=now,
            correlation_id=correlation_id,
            causation_id=None,
            source=commands.SOURCE,
            data=event,
        )
        events.append(
            {
                "event_id": envelope.event_id,
                "event_type": envelope.event_type,
                "exchange": REGISTRATION_EXCHANGE,
                "payload": envelope.model_dump_json(),  # jsonb text, serialised in Rust
            }
        )
    row = commands.registration_row(participant_id, details, district, now)
    return _Prepared(number, participant_id, row, events)


async def import_rows(
    rows: list[tuple[int, dict[str, str]]],
    database_url: str,
    *,
    identity_key: bytes,
    source: str = "district_office",
    batch_size: int = 1000,
    dry_run: bool = False,
    progress: Callable[[int, ImportReport], None] | None = None,
) -> ImportReport:
    report = ImportReport(rows=len(rows))
    started = time.perf_counter()

    def check_batch(chunk: list[tuple[int, dict[str, str]]]) -> list[_Prepared]:
        now = datetime.now(UTC)
        batch = []
        for number, cells in chunk:
            try:
                batch.append(prepare(number, cells, source, now.date(), now, identity_key))
            except (RowRejected, ValidationError, domain.RegistrationRefused) as error:
                report.rejected.append((number, _reason(error)))
        return batch

    async def store(batch: list[_Prepared], done: int) -> None:
        if batch and not dry_run:
            inserted = await _store(engine, batch)
            report.accepted += inserted
            report.duplicates += len(batch) - inserted
        else:
            report.accepted += len(batch)
        if progress:
            progress(done, report)

    engine = create_engine(database_url, pool_size=2)
    try:
        # A pipeline: the next batch is checked (in a thread) while PostgreSQL stores the previous one.
        storing: asyncio.Task[None] | None = None
        for start in range(0, len(rows), batch_size):
            batch = await asyncio.to_thread(check_batch, rows[start : start + batch_size])
            if storing is not None:
                await storing
            storing = asyncio.create_task(store(batch, min(start + batch_size, len(rows))))
        if storing is not None:
            await storing
    finally:
        await engine.dispose()
    report.rejected.sort()
    report.seconds = time.perf_counter() - started
    return report


# A new registration has no placement yet: those columns stay empty.
# Columns an import never fills: set later by a group or by grouping's options, or only by a contact
# point's own form.
_NOT_IMPORTED = {"placed_at", "group_id", "left_group_at", "submitted_by", "waiting_options"}
_COLUMNS = [c.name for c in registrations.columns if c.name not in _NOT_IMPORTED]
_OUTBOX_COLUMNS = ["event_id", "event_type", "exchange", "payload", "headers"]


async def _store(engine: AsyncEngine, batch: list[_Prepared]) -> int:
    """One transaction: the new registrations and, for exactly those, their events.

    COPY into a temporary table and one INSERT … ON CONFLICT DO NOTHING from it: several times faster than
    a multi-row INSERT with the same effect. A conflict (same source and reference) is a duplicate.
    """
    async with engine.connect() as connection:
        raw = (await connection.get_raw_connection()).driver_connection
        async with raw.transaction():
            await raw.execute(
                "CREATE TEMPORARY TABLE import_batch (LIKE registration.registrations INCLUDING DEFAULTS)"
                " ON COMMIT DROP"
            )
            await raw.copy_records_to_table(
                "import_batch",
                columns=_COLUMNS,
                records=[
                    tuple(json.dumps(p.row[c]) if c == "availability" else p.row[c] for c in _COLUMNS)
                    for p in batch
                ],
            )
            columns = ", ".join(_COLUMNS)
            inserted = await raw.fetch(
                f"INSERT INTO registration.registrations ({columns}) SELECT {columns} FROM import_batch"
                " ON CONFLICT DO NOTHING RETURNING participant_id"
            )
            new = {row[0] for row in inserted}
            # The same person twice in one file: only the first row's events are staged.
            events, staged = [], set()
            for p in batch:
                if p.participant_id in new and p.participant_id not in staged:
                    staged.add(p.participant_id)
                    events.extend(p.events)
            if events:
                await raw.copy_records_to_table(
                    "outbox",
                    schema_name="registration",
                    columns=_OUTBOX_COLUMNS,
                    records=[
                        (e["event_id"], e["event_type"], e["exchange"], e["payload"], "{}") for e in events
                    ],
                )
    return len(new)


# --- the command line --------------------------------------------------------------------------------
def _run(args: argparse.Namespace) -> int:
    from shared.settings import get_settings

    settings = get_settings()
    path = Path(args.file)
    if not path.is_file():
        print(f"no such file: {path}", file=sys.stderr)
        return 2
    rows, header = read_rows(path)
    missing = [c for c in ("name", "birth_date", "municipality", "topic", "availability") if c not in header]
    if missing:
        print(f"the header lacks required column(s): {', '.join(missing)}", file=sys.stderr)
        return 2
    report = asyncio.run(
        import_rows(
            rows,
            args.database_url or settings.database_url,
            identity_key=domain.identity_key(settings),
            source=args.source,
            batch_size=args.batch_size,
            dry_run=args.dry_run,
            progress=None if args.quiet else ProgressBar(len(rows)),
        )
    )
    print_report(report, limit=None if args.report is None else 20)
    if args.report:
        write_rejections(report, Path(args.report))
    return 1 if report.rejected else 0


def build_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import registrations from a CSV file (district offices' spreadsheets)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE.csv")
    parser.add_argument("--source", choices=SOURCES, default="district_office")
    parser.add_argument("--database-url", help="default: the DATABASE_URL setting")
    parser.add_argument("--batch-size", type=int, default=1000, help="rows per transaction (default 1000)")
    parser.add_argument("--dry-run", action="store_true", help="check every row, store nothing")
    parser.add_argument("--report", metavar="FILE", help="write the rejected rows (row, reason) as CSV")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.set_defaults(func=_run)
