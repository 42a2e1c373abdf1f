"""What the tests of a group's own decisions share: running groups put straight into grouping's tables,
the members' signed decision links, and the service's clock set by the test."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import insert

from services.grouping.decision_pages import DECISION_LINK
from services.grouping.models import groups, memberships, pool
from shared.auth import sign_link


async def a_running_group(
    service,
    size: int,
    *,
    slot: str = "tue_evening",
    municipality: str = "1804",
    district: str = "nord",
    members: list[uuid.UUID] | None = None,
    group_id: uuid.UUID | None = None,
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    group_id = group_id or uuid.uuid4()
    members = members or [uuid.uuid4() for _ in range(size)]
    async with service.sessions() as session, session.begin():
        await session.execute(
            insert(groups).values(
                group_id=group_id,
                district=district,
                slot=slot,
                format="in_person",
                status="started",
                topics=["grief"],
                municipalities=[municipality],
                started_at=datetime(2026, 1, 6, tzinfo=UTC),
            )
        )
        for person in members:
            await session.execute(
                insert(pool).values(
                    participant_id=person,
                    district=district,
                    municipality=municipality,
                    birth_date=date(1980, 1, 1),
                    gender="female",
                    topic="grief",
                    composition="any",
                    format="in_person",
                    availability=[slot],
                    single_gender=False,
                    registered_at=datetime(2025, 11, 1, tzinfo=UTC),
                    status="member",
                )
            )
            await session.execute(
                insert(memberships).values(group_id=group_id, participant_id=person, status="accepted")
            )
    return group_id, members


def decision_link(settings, participant_id: uuid.UUID) -> str:
    return f"/decisions/{sign_link(settings.keyring(), DECISION_LINK, participant_id)}"


class SetClock:
    """The service's clock, moved by the test (deadlines count on it)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now
