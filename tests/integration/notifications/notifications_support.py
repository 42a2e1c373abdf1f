"""Helpers of the notification tests (fixtures are in conftest.py)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import func, select

from services.notifications import gateway_auth, models
from services.notifications.app import NotificationService
from services.notifications.domain import OSLO
from shared.contracts import Event, GroupFormed, GroupStarted, MeetingScheduled, ParticipantContactRegistered
from shared.messaging import Publisher, exchange_of
from shared.settings import Settings
from tests.support import eventually

REFUSED = "ukjent"  # the mail sink answers 550 to any address containing this
SMS_SECRET = "test-sms-gateway-secret"


async def sms_reply(client, clock, sender: str, text: str, *, secret: str = SMS_SECRET, age: float = 0.0):
    """POST an SMS reply as the gateway does: signed over its timestamp and raw body."""
    body = json.dumps({"from": sender, "text": text}).encode()
    timestamp = int(clock().timestamp() - age)
    headers = {
        "Content-Type": "application/json",
        gateway_auth.TIMESTAMP_HEADER: str(timestamp),
        gateway_auth.SIGNATURE_HEADER: gateway_auth.sign(secret, timestamp, body),
    }
    return await client.post("/api/v1/sms/inbound", content=body, headers=headers)


class MovableClock:
    """Real time, shifted: setting `now` moves the clock there, and it keeps running from that moment."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    @property
    def now(self) -> datetime:
        return self()

    @now.setter
    def now(self, moment: datetime) -> None:
        self.offset = moment - datetime.now(UTC)


class Events:
    """Publishes events the way their producers do: to the producer's exchange, keyed by event type."""

    def __init__(self, settings: Settings) -> None:
        self.publisher = Publisher(settings.rabbitmq_url)

    async def publish(self, producer: str, event: Event | dict[str, Any], **envelope: Any) -> dict[str, Any]:
        if isinstance(event, dict):
            body = event
        else:
            body = event.envelope(source=producer, **envelope).model_dump(mode="json")
        await self.publisher.publish(
            exchange_of(producer), body["event_type"], body, message_id=body["event_id"]
        )
        return body


def contact(
    participant_id: uuid.UUID | None = None,
    *,
    name: str = "Kari Nordmann",
    email: str | None = "kari@example.org",
    mobile: str | None = None,
    language: str = "nb",
) -> ParticipantContactRegistered:
    return ParticipantContactRegistered(
        participant_id=participant_id or uuid.uuid4(),
        name=name,
        email=email,
        mobile=mobile,
        language=language,
    )


async def delivery_rows(service: NotificationService, *where: Any) -> list[Any]:
    d = models.deliveries
    async with service.sessions() as session:
        return list((await session.execute(select(d).where(*where).order_by(d.c.id))).all())


async def count(service: NotificationService, table: Any, *where: Any) -> int:
    async with service.sessions() as session:
        return await session.scalar(select(func.count()).select_from(table).where(*where))


# --- a group of four ------------------------------------------------------------------------------
NAMES = ("Ada Berg", "Bo Dahl", "Cato Eng", "Dina Fjell")
INVITED = "Du er invitert til en selvhjelpsgruppe"


def _first_meeting(now: datetime | None = None) -> datetime:
    """The group's slot is Tuesday evening: the first Tuesday at least a week ahead, at 18:00 (a test run
    on any weekday sees a Tuesday, as the calendar would schedule it)."""
    soon = (now or datetime.now(OSLO)).astimezone(OSLO) + timedelta(days=7)
    tuesday = soon + timedelta(days=(1 - soon.weekday()) % 7)
    return datetime.combine(tuesday.date(), time(18), tzinfo=OSLO)


class GroupOfFour:
    """Four people with e-mail addresses, and the events of their group from grouping and calendar."""

    def __init__(self) -> None:
        self.group_id = uuid.uuid4()
        self.members = {name: uuid.uuid4() for name in NAMES}
        self.first_meeting = _first_meeting()

    def email(self, name: str) -> str:
        return f"{name.split()[0].lower()}@example.org"

    def formed(self) -> GroupFormed:
        return GroupFormed(
            group_id=self.group_id,
            district="nordland-troms-finnmark",
            slot="tue_evening",
            format="in_person",
            members=list(self.members.values()),
            municipalities=["1804"],
        )

    def scheduled(self) -> MeetingScheduled:
        return MeetingScheduled(
            group_id=self.group_id,
            first_meeting=self.first_meeting.replace(tzinfo=None),  # calendar publishes Oslo wall-clock
            weekday=self.first_meeting.strftime("%a").lower(),
            start_time=self.first_meeting.time(),
            venue_name="Bodø frivilligsentral",
            venue_address="Storgata 12, 8006 Bodø",
            starter_name="Ola",
        )

    def started(self) -> GroupStarted:
        return GroupStarted(group_id=self.group_id, members=list(self.members.values()))


async def register(events, group: GroupOfFour, mobile_for: str | None = None) -> None:
    for name, participant_id in group.members.items():
        mobile = "+4791234567" if name == mobile_for else None
        await events.publish(
            "registration", contact(participant_id, name=name, email=group.email(name), mobile=mobile)
        )


async def start_group(events, group: GroupOfFour, sink) -> None:
    """The group's members registered, the group formed, scheduled and started, and its four first-meeting
    mails arrived: where most tests of a running group begin."""
    await register(events, group)
    await events.publish("grouping", group.formed())
    await events.publish("calendar", group.scheduled())
    await events.publish("grouping", group.started())
    await eventually(lambda: mails_arrived(sink, "Første møte i gruppa", 4))


def mails(sink, subject_start: str) -> list:
    return [m for m in sink.received if m.subject.startswith(subject_start)]


async def mails_arrived(sink, subject_start: str, expected: int) -> list | None:
    found = mails(sink, subject_start)
    return found if len(found) >= expected else None
