"""A started group of five through its life after the start (issue 22), with the four services running on
the real broker and database and a real SMTP server: a member leaves (the others are told someone left,
not who), a second leaves saying goodbye with their first name and going back to the pool (the group is
below four: the members and the district office are told), then the members end the group (every
service shows it ended, and each message went once)."""

from __future__ import annotations

import re
import uuid
from collections import Counter
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, insert, select, update

from services.calendar.app import create_app as calendar_app
from services.calendar.models import groups as calendar_groups
from services.calendar.models import memberships as calendar_memberships
from services.calendar.models import venue_bookings
from services.calendar.sample import load_sample_into
from services.grouping.app import create_app as grouping_app
from services.grouping.commands.common import stage
from services.grouping.models import groups, memberships, outbox, pool
from services.notifications.app import create_service as create_notifications
from services.notifications.sinks import MailSink
from services.registration.app import create_app as registration_app
from shared.auth import issue_staff_token, sign_link
from shared.contracts import GroupFormed, GroupStarted
from tests.support import eventually, running
from tests.support.factories import registration_body

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LINK = re.compile(r"https?://[^\s\"'<>]+")
FIVE = range(5)


def address(i: int) -> str:
    return f"deltaker{i}@example.org"


@pytest.fixture
async def mail_sink():
    sink = await MailSink(port=0).start()
    yield sink
    await sink.stop()


@pytest.fixture
async def system(settings, mail_sink):
    """The four services, each with its HTTP app on an in-process client."""
    await load_sample_into(settings.database_url)  # venues and a starter in Bodø
    quiet_planner = settings.model_copy(update={"planning_debounce_seconds": 3600})
    notifications = create_notifications(
        settings.model_copy(
            update={
                "smtp_port": mail_sink.port,
                "notification_poll_seconds": 0.1,
                "district_office_emails": {"nord": "nord@kontor.example.org"},
            }
        )
    )
    apps = {
        "registration": registration_app(settings),
        "grouping": grouping_app(quiet_planner),
        "calendar": calendar_app(settings),
    }
    async with (
        running(apps["registration"].state.service),
        running(apps["grouping"].state.service),
        running(apps["calendar"].state.service),
        running(notifications),
    ):
        clients = {
            name: httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}.test")
            for name, app in apps.items()
        }
        try:
            yield apps, clients
        finally:
            for client in clients.values():
                await client.aclose()


def mails(sink: MailSink, i: int) -> list:
    return [mail for mail in sink.received if address(i) in mail.recipients]


def subjects(sink: MailSink, i: int) -> Counter:
    return Counter(mail.subject for mail in mails(sink, i))


def link(mail, contains: str) -> str:
    for url in LINK.findall(mail.part("plain")):
        if contains in url:
            return url.rstrip(".,)")
    raise AssertionError(f"no {contains} link in {mail.subject!r}")


def path_of(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


async def one(service, statement):
    async with service.sessions() as session:
        return (await session.execute(statement)).all()


async def start_a_group_of_five(grouping, people: list[uuid.UUID]) -> uuid.UUID:
    """The planner's and the invitations' part, done here: five accepted members of a started group, and
    grouping's own group.formed and group.started through its outbox to the other services."""
    group_id = uuid.uuid4()
    async with grouping.transaction() as uow:
        await uow.session.execute(
            insert(groups).values(
                group_id=group_id,
                district="nord",
                slot="tue_evening",
                format="in_person",
                status="started",
                topics=["grief"],
                municipalities=["1804"],
                started_at=func.now(),
            )
        )
        await uow.session.execute(
            insert(memberships),
            [{"group_id": group_id, "participant_id": p, "status": "accepted"} for p in people],
        )
        await uow.session.execute(
            update(pool).where(pool.c.participant_id.in_(people)).values(status="member")
        )
        formed = GroupFormed(
            group_id=group_id,
            district="nord",
            slot="tue_evening",
            format="in_person",
            members=people,
            municipalities=["1804"],
        )
        await stage(uow.session, uow.outbox, formed)
        await stage(uow.session, uow.outbox, GroupStarted(group_id=group_id, members=people))
    return group_id


async def test_a_group_of_five_loses_two_members_then_ends(settings, system, mail_sink):
    apps, http = system
    grouping = apps["grouping"].state.service
    calendar = apps["calendar"].state.service
    registration = apps["registration"].state.service
    status_tokens, people = {}, []
    for i in FIVE:
        body = registration_body(
            participant={"name": f"Deltaker{i} Testesen", "email": address(i)},
            birth_date=f"198{i}-03-01",
        )
        response = await http["registration"].post("/api/v1/registrations", json=body)
        assert response.status_code == 202, response.text
        receipt = response.json()
        people.append(uuid.UUID(receipt["registration_id"]))
        status_tokens[i] = receipt["status_token"]
    await eventually(lambda: _all_in_pool(grouping, people), timeout=60)
    group_id = await start_a_group_of_five(grouping, people)

    # Every member hears of the first meeting, with their own leave link.
    firsts = {i: await eventually(lambda i=i: _with(mail_sink, i, "/leave/"), timeout=120) for i in FIVE}
    for p in people:
        await eventually(lambda p=p: _is(registration, p, "placed"))

    # The member's meetings page offers the way out too.
    meetings_token = sign_link(settings.keyring(), "participant-feed", people[0])
    meetings = await http["calendar"].get(f"/meetings/{meetings_token}")
    assert 'id="leave"' in meetings.text and "/leave/" in meetings.text

    # 1. Deltaker0 leaves, saying nothing and not going back to the pool.
    leave0 = path_of(link(firsts[0], "/leave/"))
    page = await http["grouping"].get(leave0)
    assert page.status_code == 200 and 'id="goodbye"' in page.text and 'id="pool"' in page.text
    done = await http["grouping"].post(leave0, data={})
    assert done.status_code == 200 and 'id="done"' in done.text
    before = {i: len(mails(mail_sink, i)) for i in FIVE}
    again = await http["grouping"].post(leave0, data={"goodbye": "yes"})
    assert "Du er ikke lenger med i gruppa, så ingenting er endret" in again.text
    left_events = await one(
        grouping, select(outbox.c.id).where(outbox.c.event_type == "group.member_left.v1")
    )
    assert len(left_events) == 1  # the second click staged nothing

    told = {
        i: await eventually(lambda i=i: _subject(mail_sink, i, "Noen har gått ut av gruppa"), timeout=60)
        for i in (1, 2, 3, 4)
    }
    assert "Deltaker0" not in told[1].part("plain") and "Deltaker0" not in told[1].subject
    assert "Gruppa er nå 4" in told[1].part("plain")
    await eventually(lambda: _is(registration, people[0], "left"))
    await eventually(lambda: _calendar_members_are(calendar, group_id, 4))

    # 2. Deltaker1 leaves with a goodbye and back to the pool: three left, below four.
    leave1 = path_of(link(told[1], "/leave/"))
    done = await http["grouping"].post(leave1, data={"goodbye": "yes", "pool": "yes"})
    assert "Du står på ventelisten igjen" in done.text
    for i in (2, 3, 4):
        named = await eventually(
            lambda i=i: _subject(mail_sink, i, "Deltaker1 har gått ut av gruppa"), timeout=60
        )
        assert "Testesen" not in named.part("plain")  # the first name only
        below = await eventually(lambda i=i: _subject(mail_sink, i, "Gruppa di er nå 3"), timeout=60)
        assert "/leave/" in below.part("plain")
    flag, status = (
        await one(grouping, select(groups.c.flag_code, groups.c.status).where(groups.c.group_id == group_id))
    )[0]
    assert flag["code"] == "below_minimum" and status == "started"
    # The district office is told at once by e-mail too (nobody named, the group page linked).
    office = await eventually(
        lambda: next((m for m in mail_sink.received if "nord@kontor.example.org" in m.recipients), None),
        timeout=60,
    )
    assert f"/staff/groups/{group_id}" in office.part("plain") and "Deltaker" not in office.part("plain")
    waiting = await one(grouping, select(pool.c.status).where(pool.c.participant_id == people[1]))
    assert waiting == [("waiting",)]
    await eventually(lambda: _is(registration, people[1], "waiting"))
    staff = issue_staff_token(settings.keyring(), "ane", "nord", ["staff"])
    http["grouping"].cookies.set("staff_token", staff)
    overview = await http["grouping"].get("/staff")
    assert f"/staff/groups/{group_id}" in overview.text  # on the district office's attention list
    assert len(mails(mail_sink, 0)) == before[0]  # who left hears nothing more of the group

    # 3. The members decide to end: grouping ends it, and every service follows.
    token = sign_link(settings.keyring(), "participant-feed", people[2])
    feed = await http["calendar"].get(f"/feeds/participants/{token}.ics")
    assert "BEGIN:VEVENT" in feed.text  # the coming meetings, until the end
    ended = await http["grouping"].post(f"/staff/groups/{group_id}/end", data={"decided": "yes"})
    assert ended.status_code in (200, 303)
    for i in (2, 3, 4):
        await eventually(lambda i=i: _subject(mail_sink, i, "Gruppa di er avsluttet"), timeout=60)
    for p in people[2:]:
        await eventually(lambda p=p: _is(registration, p, "ended"))
    await eventually(lambda: _calendar_status_is(calendar, group_id, "ended"))
    group_page = await http["grouping"].get(f"/staff/groups/{group_id}")
    assert 'id="ended-on"' in group_page.text
    future = await one(
        calendar,
        select(venue_bookings.c.group_id).where(
            venue_bookings.c.group_id == group_id, func.lower(venue_bookings.c.during) > datetime.now(UTC)
        ),
    )
    assert future == []
    meetings = await http["calendar"].get(f"/meetings/{token}")
    assert 'id="ended"' in meetings.text and 'id="leave"' not in meetings.text
    feed = await http["calendar"].get(f"/feeds/participants/{token}.ics")
    # The group ended before its first meeting: the feed keeps no meeting (a group that had met would
    # keep its past ones, the series stopped by UNTIL at the end).
    assert feed.status_code == 200 and "BEGIN:VEVENT" not in feed.text
    status_page = await http["registration"].get(f"/status/{status_tokens[2]}")
    assert "Gruppen din er avsluttet" in status_page.text and 'id="register-again"' in status_page.text

    # Each message went once to each person it was for; those who left were not told the end.
    for i in (2, 3, 4):
        counts = subjects(mail_sink, i)
        assert counts["Gruppa di er avsluttet"] == 1
        assert counts["Noen har gått ut av gruppa"] == 1
        assert counts["Deltaker1 har gått ut av gruppa"] == 1
        assert counts["Gruppa di er nå 3"] == 1
    assert "Gruppa di er avsluttet" not in subjects(mail_sink, 0)
    assert "Gruppa di er avsluttet" not in subjects(mail_sink, 1)


async def _all_in_pool(grouping, people: list[uuid.UUID]) -> bool:
    async with grouping.sessions() as session:
        found = await session.scalar(
            select(func.count()).select_from(pool).where(pool.c.participant_id.in_(people))
        )
    return found == len(people)


def _with(sink: MailSink, i: int, fragment: str):
    return next((mail for mail in mails(sink, i) if fragment in mail.part("plain")), None)


def _subject(sink: MailSink, i: int, subject: str):
    return next((mail for mail in mails(sink, i) if mail.subject == subject), None)


async def _is(registration, participant_id: uuid.UUID, status: str) -> bool:
    from services.registration.models import registrations

    async with registration.sessions() as session:
        found = await session.scalar(
            select(registrations.c.status).where(registrations.c.participant_id == participant_id)
        )
    return found == status


async def _calendar_members_are(calendar, group_id: uuid.UUID, count: int) -> bool:
    async with calendar.sessions() as session:
        found = await session.scalar(
            select(func.count())
            .select_from(calendar_memberships)
            .where(calendar_memberships.c.group_id == group_id)
        )
    return found == count


async def _calendar_status_is(calendar, group_id: uuid.UUID, status: str) -> bool:
    async with calendar.sessions() as session:
        found = await session.scalar(
            select(calendar_groups.c.status).where(calendar_groups.c.group_id == group_id)
        )
    return found == status
