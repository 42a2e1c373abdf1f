"""What a member's newcomers page shows: the group's size and room, the open vote with its candidates (an
age band and gender each, nothing more: newcomer_rules.py says why) and the member's own votes, or how
the group's last request ended."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from . import domain, newcomer_rules
from .models import admission_candidates, admission_requests, candidate_votes, groups, memberships, pool


@dataclass(frozen=True)
class Candidate:
    position: int
    age_band: str
    gender: str


@dataclass(frozen=True)
class NewcomerView:
    member: bool
    members: int = 0
    places: int = 0
    status: str | None = None  # the latest request's: voting | inviting | filled | unfilled | refused | ...
    wanted: int = 0
    vote_by: datetime | None = None
    candidates: list[Candidate] = field(default_factory=list)
    my_votes: dict[int, bool] = field(default_factory=dict)


async def newcomer_view(
    session: AsyncSession, participant_id: uuid.UUID, *, as_of: date, rules: domain.PlanningRules
) -> NewcomerView:
    group_id = await session.scalar(
        select(memberships.c.group_id)
        .join(groups, groups.c.group_id == memberships.c.group_id)
        .where(
            memberships.c.participant_id == participant_id,
            memberships.c.status == "accepted",
            groups.c.status == "started",
        )
    )
    if group_id is None:
        return NewcomerView(member=False)
    members = len(
        (
            await session.execute(
                select(memberships.c.participant_id).where(
                    memberships.c.group_id == group_id, memberships.c.status == "accepted"
                )
            )
        ).all()
    )
    places = newcomer_rules.places_left(members, rules)
    latest = (
        await session.execute(
            select(admission_requests)
            .where(admission_requests.c.group_id == group_id)
            .order_by(admission_requests.c.created_at.desc())
            .limit(1)
        )
    ).first()
    if latest is None:
        return NewcomerView(member=True, members=members, places=places)
    candidates: list[Candidate] = []
    my_votes: dict[int, bool] = {}
    if latest.status == "voting":
        rows = (
            await session.execute(
                select(admission_candidates.c.position, pool.c.birth_date, pool.c.gender)
                .join(pool, pool.c.participant_id == admission_candidates.c.participant_id)
                .where(admission_candidates.c.request_id == latest.request_id)
                .order_by(admission_candidates.c.position)
            )
        ).all()
        # The position is all that names a candidate here; nobody's id leaves this service.
        candidates = [
            Candidate(r.position, newcomer_rules.age_band(r.birth_date, as_of), r.gender) for r in rows
        ]
        my_votes = dict(
            (
                await session.execute(
                    select(candidate_votes.c.position, candidate_votes.c.yes).where(
                        candidate_votes.c.request_id == latest.request_id,
                        candidate_votes.c.voter_id == participant_id,
                    )
                )
            ).all()
        )
    return NewcomerView(
        member=True,
        members=members,
        places=places,
        status=latest.status,
        wanted=latest.wanted,
        vote_by=latest.vote_by,
        candidates=candidates,
        my_votes=my_votes,
    )
