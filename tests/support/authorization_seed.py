"""One object of each kind in each of two districts (and two contact points' municipalities), for the scope
half of the authorization matrix: a person, a group (the same id in grouping and the calendar, scheduled by
the calendar the ordinary way), a venue, a starter, a delivery, an audit entry in each service, and a
contact point's registration. The "home" objects are in nord (Bodø); the "away" ones in oslo-ost (Oslo)
or, for contact points, Rana."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import insert, select

from services.calendar.models import audit_log as calendar_audit
from services.calendar.models import groups as calendar_groups
from services.calendar.models import starters, venues
from services.calendar.registry import hours_to_json, parse_hours_text
from services.grouping.models import audit_log as grouping_audit
from services.grouping.models import groups as grouping_groups
from services.grouping.models import pool
from services.notifications.models import deliveries
from services.registration.models import audit_log as registration_audit
from shared.contracts import GroupFormed, MeetingFormat
from shared.messaging import Publisher, declare_topology, exchange_of
from shared.messaging.topology import TOPOLOGY
from shared.reference import district_of
from tests.support import eventually
from tests.support.contact_point_matrix import SIGN_UP_FORM
from tests.support.factories import registration_body

HOME, AWAY = "nord", "oslo-ost"
MUNICIPALITY = {HOME: "1804", AWAY: "0301"}  # Bodø, Oslo
CONTACT_HOME, CONTACT_AWAY = "1804", "1833"  # Bodø, Rana: one district, two municipalities


def starter_email(district: str) -> str:
    return f"starter.{district}@example.org"


@dataclass
class Objects:
    """The ids (as text) and names one district's objects can be found by in a response body."""

    participant_id: str
    group_id: str
    venue_id: str
    venue_name: str
    starter_id: str
    recipient_id: str
    audit_marker: str


async def _venue(service, district: str) -> tuple[str, str]:
    venue_id, name = uuid.uuid4(), f"Lokale {district} {uuid.uuid4().hex[:6]}"
    municipality = MUNICIPALITY[district]
    async with service.sessions() as session, session.begin():
        await session.execute(
            insert(venues).values(
                id=venue_id,
                municipality=municipality,
                district=district_of(municipality),
                name=name,
                address="Storgata 1",
                kind="library",
                capacity=10,
                accessible=True,
                opening_hours=hours_to_json(parse_hours_text("tue 16:00-22:00")),
                blackout_dates=[],
            )
        )
    return str(venue_id), name


async def _starter(service, district: str) -> str:
    starter_id = uuid.uuid4()
    async with service.sessions() as session, session.begin():
        await session.execute(
            insert(starters).values(
                id=starter_id,
                district=district,
                first_name=f"Starter{district.replace('-', '')}",
                email=starter_email(district),
                availability=hours_to_json(parse_hours_text("tue 16:00-22:00")),
            )
        )
    return str(starter_id)


async def _group(settings, services, district: str) -> str:
    """Formed as grouping would announce it; the calendar schedules it with the district's starter."""
    municipality = MUNICIPALITY[district]
    event = GroupFormed(
        group_id=uuid.uuid4(),
        district=district,
        slot="tue_evening",
        format=MeetingFormat.in_person,
        members=[uuid.uuid4() for _ in range(6)],
        municipalities=[municipality] * 6,
    )
    async with services["grouping"].sessions() as session, session.begin():
        await session.execute(
            insert(grouping_groups).values(
                group_id=event.group_id,
                district=district,
                slot="tue_evening",
                format="in_person",
                status="proposed",
                topics=["grief"],
                municipalities=[municipality],
            )
        )
    publisher = Publisher(settings.rabbitmq_url)
    await publisher.connect()
    try:
        await declare_topology(publisher.channel, TOPOLOGY.queues, settings.delivery_limit)
        envelope = event.envelope(source="grouping")
        await publisher.publish(
            exchange_of("grouping"), envelope.event_type, envelope.model_dump(mode="json")
        )
    finally:
        await publisher.close()

    async def decided():
        async with services["calendar"].sessions() as session:
            status = await session.scalar(
                select(calendar_groups.c.status).where(calendar_groups.c.group_id == event.group_id)
            )
        return status if status not in (None, "pending") else None

    await eventually(decided, timeout=30)
    return str(event.group_id)


async def _delivery(service, district: str) -> str:
    recipient = uuid.uuid4()
    async with service.sessions() as session, session.begin():
        await session.execute(
            insert(deliveries).values(
                source_event_id=uuid.uuid4(),
                recipient_id=recipient,
                channel="email",
                message_type="group_started",
                language="nb",
                context="{}",
                state="failed",
                group_id=uuid.uuid4(),
                district=district,
            )
        )
    return str(recipient)


async def _audit(services, district: str) -> str:
    marker = f"audit-{district}-{uuid.uuid4().hex[:8]}"
    for name, table, column in (
        ("grouping", grouping_audit, "detail"),
        ("calendar", calendar_audit, "detail"),
        ("registration", registration_audit, "reason"),
    ):
        async with services[name].sessions() as session, session.begin():
            await session.execute(
                insert(table).values(actor=marker, action="seeded", district=district, **{column: marker})
            )
    return marker


async def seed(settings, services, clients) -> dict[str, Objects]:
    found = {}
    for district in (HOME, AWAY):
        body = registration_body(municipality=MUNICIPALITY[district])
        reply = await clients["registration"].post("/api/v1/registrations", json=body)
        assert reply.status_code == 202, reply.text
        participant = reply.json()["registration_id"]
        venue_id, venue_name = await _venue(services["calendar"], district)
        starter_id = await _starter(services["calendar"], district)
        found[district] = Objects(
            participant_id=participant,
            group_id=await _group(settings, services, district),
            venue_id=venue_id,
            venue_name=venue_name,
            starter_id=starter_id,
            recipient_id=await _delivery(services["notifications"], district),
            audit_marker=await _audit(services, district),
        )

    async def in_pool():  # grouping learns of both people from registration's events
        async with services["grouping"].sessions() as session:
            ids = set((await session.execute(select(pool.c.participant_id))).scalars())
        return {uuid.UUID(found[d].participant_id) for d in (HOME, AWAY)} <= ids

    await eventually(in_pool, timeout=30)
    return found


CONTACT_NAME = "Kari Kontaktregistrert"


def contact_sign_up_form() -> dict:
    """The contact point's registration in Bodø, found in its list by name."""
    return {**SIGN_UP_FORM, "name": CONTACT_NAME, "municipality": CONTACT_HOME}
