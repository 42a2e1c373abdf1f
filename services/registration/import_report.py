"""What a bulk import reports: the counts and rejected rows, a progress bar while it runs, and the report
printed at the end or written as CSV (row, reason; never a row's content)."""

from __future__ import annotations

import csv
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ImportReport:
    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class ProgressBar:
    """A plain progress bar on stderr; on a pipe (CI logs) a line per tenth instead of redrawing."""

    def __init__(self, total: int, stream=None, width: int = 30) -> None:
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        self.width = width
        self.started = time.perf_counter()
        self.interactive = self.stream.isatty()
        self._last_tenth = -1

    def __call__(self, done: int, report: ImportReport) -> None:
        fraction = done / self.total
        rate = done / max(time.perf_counter() - self.started, 1e-9)
        filled = int(self.width * fraction)
        line = (
            f"[{'#' * filled}{'.' * (self.width - filled)}] {done:>{len(str(self.total))}}/{self.total} rows"
            f"  {rate:,.0f} rows/s  rejected {len(report.rejected)}"
        )
        if self.interactive:
            self.stream.write("\r" + line + ("\n" if done >= self.total else ""))
        elif int(fraction * 10) != self._last_tenth:
            self._last_tenth = int(fraction * 10)
            self.stream.write(line + "\n")
        self.stream.flush()


def print_report(report: ImportReport, stream=None, limit: int | None = None) -> None:
    stream = stream or sys.stdout
    print(
        f"{report.rows} rows: {report.accepted} accepted, {report.duplicates} already imported, "
        f"{len(report.rejected)} rejected ({report.seconds:.1f} s, {report.rows_per_second:,.0f} rows/s)",
        file=stream,
    )
    shown = report.rejected if limit is None else report.rejected[:limit]
    for number, reason in shown:
        print(f"  row {number}: {reason}", file=stream)
    if len(shown) < len(report.rejected):
        print(f"  … and {len(report.rejected) - len(shown)} more (use --report FILE)", file=stream)


def write_rejections(report: ImportReport, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["row", "reason"])
        writer.writerows(report.rejected)
