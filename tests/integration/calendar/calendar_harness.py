"""What the calendar's integration tests share: a tap on the calendar's exchange, events published as
grouping and notifications would, venues and starters in the database, staff tokens and an HTTP client."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import aio_pika
import httpx
from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert

from services.calendar.app import create_service
from services.calendar.feeds_api import feeds
from services.calendar.models import groups, starters, venues
from services.calendar.registry import hours_to_json, parse_hours_text
from services.calendar.registry_api import registry
from services.calendar.schedule_api import schedules
from shared.auth import issue_staff_token
from shared.contracts import AbsenceReported, Envelope, Event, GroupFormed, MeetingFormat
from shared.messaging import Publisher, declare_topology, exchange_of
from shared.messaging.topology import TOPOLOGY
from shared.reference import district_of
from shared.service import Service
from tests.support import eventually

BODO, SALTDAL, OSLO_KOMMUNE, TROMSO = "1804", "1840", "0301", "5501"
TUESDAY_EVENINGS = "tue 16:00-22:00"


def calendar_settings(settings, **overrides: Any):
    """The test settings with a calendar that polls quickly."""
    return settings.model_copy(update={"calendar_poll_seconds": 0.2, **overrides})


def new_service(settings) -> Service:
    return create_service(settings)


class EventTap:
    """Every event the calendar publishes, read from an exclusive queue bound to its exchange."""

    def __init__(self, settings) -> None:
        self.settings = settings
        self.events: list[dict[str, Any]] = []
        self._connection: aio_pika.abc.AbstractRobustConnection | None = None

    async def __aenter__(self) -> EventTap:
        self._connection = await aio_pika.connect_robust(self.settings.rabbitmq_url)
        channel = await self._connection.channel()
        await declare_topology(channel, TOPOLOGY.queues, self.settings.delivery_limit)
        exchange = await channel.get_exchange(exchange_of("calendar"))
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key="#")

        async def collect(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                self.events.append(json.loads(message.body))

        await queue.consume(collect)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._connection is not None:
            await self._connection.close()

    def of(self, event_type: str, group_id: uuid.UUID | None = None) -> list[dict[str, Any]]:
        return [
            event
            for event in self.events
            if event["event_type"] == event_type
            and (group_id is None or event["data"].get("group_id") == str(group_id))
        ]

    async def wait_for(
        self, event_type: str, count: int = 1, group_id: uuid.UUID | None = None, timeout=20.0
    ):
        async def enough():
            found = self.of(event_type, group_id)
            return found if len(found) >= count else None

        return await eventually(enough, timeout=timeout)


async def publish(settings, exchange: str, envelope: Envelope[Any]) -> None:
    publisher = Publisher(settings.rabbitmq_url)
    await publisher.connect()
    try:
        await declare_topology(publisher.channel, TOPOLOGY.queues, settings.delivery_limit)
        await publisher.publish(exchange, envelope.event_type, envelope.model_dump(mode="json"))
    finally:
        await publisher.close()


async def publish_as(settings, service_name: str, event: Event) -> Envelope[Any]:
    envelope = event.envelope(source=service_name)
    await publish(settings, exchange_of(service_name), envelope)
    return envelope


def formed_group(
    members: int = 6,
    municipalities: list[str] | None = None,
    *,
    slot: str = "tue_evening",
    digital: bool = False,
    district: str = "nord",
) -> GroupFormed:
    people = [uuid.uuid4() for _ in range(members)]
    return GroupFormed(
        group_id=uuid.uuid4(),
        district=district,
        slot=slot,
        format=MeetingFormat.digital if digital else MeetingFormat.in_person,
        members=people,
        municipalities=municipalities or [BODO] * members,
    )


def absence(group_id: uuid.UUID, participant_id: uuid.UUID, meeting_start: datetime) -> AbsenceReported:
    return AbsenceReported(group_id=group_id, participant_id=participant_id, meeting_start=meeting_start)


async def add_venue(
    service: Service,
    name: str,
    municipality: str = BODO,
    *,
    capacity: int = 10,
    hours: str = TUESDAY_EVENINGS,
    accessible: bool = True,
) -> uuid.UUID:
    venue_id = uuid.uuid4()
    async with service.sessions() as session, session.begin():
        await session.execute(
            insert(venues).values(
                id=venue_id,
                municipality=municipality,
                district=district_of(municipality),
                name=name,
                address=f"{name}gata 1",
                kind="library",
                capacity=capacity,
                accessible=accessible,
                opening_hours=hours_to_json(parse_hours_text(hours)),
                blackout_dates=[],
            )
        )
    return venue_id


async def add_starter(
    service: Service, first_name: str = "Ola", district: str = "nord", hours: str = TUESDAY_EVENINGS
) -> uuid.UUID:
    starter_id = uuid.uuid4()
    async with service.sessions() as session, session.begin():
        await session.execute(
            insert(starters).values(
                id=starter_id,
                district=district,
                first_name=first_name,
                email=f"{first_name.lower()}.{starter_id.hex[:6]}@example.org",
                availability=hours_to_json(parse_hours_text(hours)),
            )
        )
    return starter_id


async def group_status(service: Service, group_id: uuid.UUID) -> str | None:
    async with service.sessions() as session:
        return await session.scalar(select(groups.c.status).where(groups.c.group_id == group_id))


async def wait_until_decided(service: Service, group_id: uuid.UUID) -> str:
    async def decided():
        status = await group_status(service, group_id)
        return status if status in ("scheduled", "failed") else None

    return await eventually(decided, timeout=20)


async def count(service: Service, table, *where) -> int:
    async with service.sessions() as session:
        return await session.scalar(select(func.count()).select_from(table).where(*where))


async def overlapping_bookings(service: Service, table: str, owner: str) -> int:
    """Pairs of bookings of one venue (or starter) that overlap in time: must always be 0."""
    async with service.sessions() as session:
        return await session.scalar(
            text(
                f"SELECT count(*) FROM calendar.{table} a JOIN calendar.{table} b "
                f"ON a.{owner} = b.{owner} AND a.id < b.id AND a.during && b.during"
            )
        )


def staff_headers(settings, district: str = "nord") -> dict[str, str]:
    token = issue_staff_token(settings.keyring(), f"staff-{district}", district, ["staff"])
    return {"Authorization": f"Bearer {token}"}


@contextlib.asynccontextmanager
async def http_client(service: Service) -> AsyncIterator[httpx.AsyncClient]:
    """HTTP against the service's app in-process; the service itself is started by the test."""
    app = service.http_app(schedules, registry, feeds)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://calendar.test", timeout=30) as client:
        yield client


async def settle(seconds: float = 1.0) -> None:
    """Give background loops time to do anything they still would (to prove they do nothing more)."""
    await asyncio.sleep(seconds)
