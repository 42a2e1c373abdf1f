"""What the calendar deletes on its own (besides its outbox and inbox, shared/retention.py): the member list
and reported absences of a group that dissolved or ended, `closed_group_retention_days` after that. The
group's series and bookings stay (no person in them) for the venue's and starter's history."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, select

from shared.retention import RetentionJob, purge_where

from .models import absences, groups, memberships


def ended_before(cutoff: datetime) -> Select:
    return select(groups.c.group_id).where(groups.c.status == "ended", groups.c.ended_at < cutoff)


def add_steps(job: RetentionJob, days: int) -> None:
    period = timedelta(days=days)
    for name, table in (("memberships", memberships), ("absences", absences)):
        job.add(
            name,
            lambda session, now, limit, table=table: purge_where(
                session, table, table.c.group_id.in_(ended_before(now - period)), limit
            ),
        )
