"""Bulk import from a district office's spreadsheet: rows stored with their events, a report of every
rejected row with its number and reason, and a re-import that creates nothing twice."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.cli import main

pytestmark = pytest.mark.integration

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "registrations.csv"
HEADER = "external_ref;name;email;mobile;birth_date;gender;municipality;topic;availability;consent_version;consent_given_at"
ROWS = [
    "r-1;Kari;kari@example.org;;1980-01-01;female;1804;grief;tue_evening;2026-01;2026-01-05",  # row 2
    "r-2;Ola;;912 34 567;01.02.1970;male;301;anxiety;mon_daytime, thu_evening;2026-01;2026-01-05",  # row 3
    "r-3;Ung;ung@example.org;;2015-05-05;female;1804;grief;tue_evening;2026-01;2026-01-05",  # 4: under 18
    "r-4;Per;per@example.org;;1980-01-01;male;9999;grief;tue_evening;2026-01;2026-01-05",  # 5: municipality
    "r-5;Siv;siv@example.org;;1980-01-01;female;1804;grief;tue_evening;;",  # 6: no consent
    "r-6;Åse;not-an-address;;1980-01-01;female;1804;grief;someday;2026-01;2026-01-05",  # 7: email + slot
    "r-1;Kari;kari@example.org;;1980-01-01;female;1804;grief;tue_evening;2026-01;2026-01-05",  # 8: same as 2
]


async def count(database_url: str, sql: str) -> int:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            return await connection.scalar(text(sql))
    finally:
        await engine.dispose()


def counts(database_url: str) -> tuple[int, int]:
    return (
        asyncio.run(count(database_url, "SELECT count(*) FROM registration.registrations")),
        asyncio.run(count(database_url, "SELECT count(*) FROM registration.outbox")),
    )


# Synchronous on purpose: the command line runs its own event loop, as it does for an operator.
def test_the_import_stores_good_rows_reports_bad_ones_and_a_rerun_changes_nothing(settings, tmp_path, capsys):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("\ufeff" + "\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")  # as Excel saves it
    rejections = tmp_path / "rejected.csv"

    args = ["registration", "import", str(sheet), "--database-url", settings.database_url]
    assert main([*args, "--report", str(rejections)]) == 1  # some rows were rejected
    out = capsys.readouterr()
    assert "7 rows: 2 accepted, 1 already imported, 4 rejected" in out.out
    assert "row 4: birth_date: self-help groups are for adults" in out.out
    assert "row 5: municipality:" in out.out
    assert "row 6: consent_version and consent_given_at are required" in out.out
    assert "row 7: participant.email:" in out.out and "availability" in out.out
    assert "rows/s" in out.err  # the progress bar
    assert "Kari" not in out.out + out.err and "not-an-address" not in out.out  # no personal data
    assert rejections.read_text().splitlines()[0] == "row,reason"
    assert counts(settings.database_url) == (2, 4)  # each registration with its two events

    assert main([*args, "--quiet"]) == 1
    assert "7 rows: 0 accepted, 3 already imported, 4 rejected" in capsys.readouterr().out
    assert counts(settings.database_url) == (2, 4)


def test_the_example_file_imports_cleanly(settings, capsys):
    assert (
        main(["registration", "import", str(EXAMPLE), "--database-url", settings.database_url, "--quiet"])
        == 0
    )
    assert "6 rows: 6 accepted, 0 already imported, 0 rejected" in capsys.readouterr().out


def test_a_dry_run_checks_every_row_and_stores_nothing(settings, tmp_path, capsys):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    main(
        [
            "registration",
            "import",
            str(sheet),
            "--database-url",
            settings.database_url,
            "--dry-run",
            "--quiet",
        ]
    )
    assert "4 rejected" in capsys.readouterr().out
    assert counts(settings.database_url) == (0, 0)
