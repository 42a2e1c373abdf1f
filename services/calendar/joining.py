"""A newcomer's view of their group's meetings (issue #22): a person the members voted in joins from the
group's next meeting, so their own calendar feed starts there, not at the group's first meeting. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta

from .series import MeetingSeries


def from_joining(segments: Iterable[MeetingSeries], joined_on: date | None) -> tuple[MeetingSeries, ...]:
    """The segments from the first pattern day on or after `joined_on` (None: a founding member, all)."""
    if joined_on is None:
        return tuple(segments)
    kept: list[MeetingSeries] = []
    for segment in segments:
        if segment.first_date >= joined_on:
            kept.append(segment)
            continue
        step = 7 * segment.interval_weeks
        periods = -(-(joined_on - segment.first_date).days // step)  # rounded up: the next one on or after
        first = segment.first_date + timedelta(days=periods * step)
        last = segment.last_day
        if last is not None and first > last:
            continue  # the segment ended before they joined
        kept.append(replace(segment, first_date=first))
    return tuple(kept)
