"""When to remind members of a meeting."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

DEFAULT_REMINDER_OFFSETS = (timedelta(days=1), timedelta(hours=2))


def reminder_due_times(
    occurrence_start: datetime,
    offsets: Iterable[timedelta] = DEFAULT_REMINDER_OFFSETS,
    *,
    not_before: datetime | None = None,
) -> tuple[datetime, ...]:
    """Times to send reminders for a meeting starting at the aware `occurrence_start`, earliest first.

    Whole days count in wall-clock time ("the day before at the same time", also across a DST change);
    shorter offsets are elapsed time. Reminders before `not_before` (say, now, for a meeting moved at
    short notice) are left out rather than sent late.
    """
    if occurrence_start.tzinfo is None:
        raise ValueError("occurrence_start must be timezone-aware")
    due = set()
    for offset in offsets:
        if offset <= timedelta(0):
            raise ValueError(f"a reminder comes before the meeting; got offset {offset}")
        if offset % timedelta(days=1) == timedelta(0):
            # Same tzinfo: Python subtracts in wall-clock time and recomputes the UTC offset.
            due.add(occurrence_start - offset)
        else:
            due.add((occurrence_start.astimezone(UTC) - offset).astimezone(occurrence_start.tzinfo))
    return tuple(sorted(time for time in due if not_before is None or time >= not_before))
