"""What grouping deletes on its own (besides its outbox and inbox, shared/retention.py): who was in a group
that dissolved or ended — memberships, invitations, admission votes, newcomer candidates and votes, and
attendance — once
`closed_group_retention_days` have passed since it closed. Staff can look back at a closed group for that
long; the group's own row (district, slot, topics: nobody in it) stays for the statistics.

People placed in a group are erased everywhere later by registration (participant.erased.v1); this step
is for those still registered, e.g. back in the pool after their group dissolved."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Select, select

from shared.retention import RetentionJob, purge_where

from .decision_models import decision_votes, decisions
from .models import (
    admission_candidates,
    admission_requests,
    admission_votes,
    attendance,
    candidate_votes,
    groups,
    invitations,
    memberships,
)

CLOSED = ("dissolved", "ended")


def closed_before(cutoff: datetime) -> Select:
    return select(groups.c.group_id).where(groups.c.status.in_(CLOSED), groups.c.closed_at < cutoff)


def add_steps(job: RetentionJob, days: int) -> None:
    period = timedelta(days=days)
    for name, table in (
        ("memberships", memberships),
        ("invitations", invitations),
        ("attendance", attendance),
    ):
        job.add(
            name,
            lambda session, now, limit, table=table: purge_where(
                session, table, table.c.group_id.in_(closed_before(now - period)), limit
            ),
        )
    for name, table in (
        ("admission votes", admission_votes),
        ("newcomer candidates", admission_candidates),
        ("newcomer votes", candidate_votes),
    ):
        job.add(
            name,
            lambda session, now, limit, table=table: purge_where(
                session,
                table,
                table.c.request_id.in_(
                    select(admission_requests.c.request_id).where(
                        admission_requests.c.group_id.in_(closed_before(now - period))
                    )
                ),
                limit,
            ),
        )
    # A group's own decisions (who voted what, who proposed): the votes first, then the decisions.
    job.add(
        "decision votes",
        lambda session, now, limit: purge_where(
            session,
            decision_votes,
            decision_votes.c.decision_id.in_(
                select(decisions.c.decision_id).where(decisions.c.group_id.in_(closed_before(now - period)))
            ),
            limit,
        ),
    )
    job.add(
        "decisions",
        lambda session, now, limit: purge_where(
            session, decisions, decisions.c.group_id.in_(closed_before(now - period)), limit
        ),
    )
