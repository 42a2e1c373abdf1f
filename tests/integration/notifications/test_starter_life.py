"""A starter's part in a group's life (issue 22, item 6) with the real calendar and notification services,
RabbitMQ, PostgreSQL and an SMTP sink: assigned and told (the group, its time and place, the meetings it
leads and the frame to convey, a working calendar link) → reminded before its meeting → "I cannot come"
reaches the district office → the district office assigns another starter, who is told and gets the
meeting in its feed while the first no longer has it → released with thanks after the first meetings,
after which the group is gone from both starters' pages and feeds."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlsplit

import httpx
import pytest
from icalendar import Calendar
from notifications_support import contact, mails_arrived
from sqlalchemy import DateTime, func, select, update

from services.calendar.app import create_app
from services.calendar.models import audit_log, groups, reminders, starter_bookings, starters
from services.calendar.starter_release import release_starters
from services.notifications.app import create_service as create_notifications
from shared.auth import issue_staff_token
from shared.contracts import GroupStarted
from shared.web_auth import STAFF_ROLE, STARTER_ROLE
from tests.integration.calendar.calendar_harness import (
    EventTap,
    add_starter,
    add_venue,
    calendar_settings,
    formed_group,
    publish_as,
)
from tests.support import eventually, running

pytestmark = pytest.mark.integration

OFFICE = "kontor.nord@example.org"
NAMES = ("Astrid", "Bjørn", "Cecilie", "Dag", "Eli")
FEED = re.compile(r"https?://\S+/feeds/starters/\S+\.ics")
_START = func.lower(starter_bookings.c.during, type_=DateTime(timezone=True))


def _signed_in(http: httpx.AsyncClient, settings, role: str, email: str = "") -> None:
    http.cookies.clear()
    token = issue_staff_token(settings.keyring(), f"{role}-nord", "nord", [role], email=email)
    http.cookies.set("staff_token", token)


async def _email_of(calendar, starter_id) -> str:
    async with calendar.sessions() as session:
        return await session.scalar(select(starters.c.email).where(starters.c.id == starter_id))


async def _feed_starts(http: httpx.AsyncClient, url: str) -> list[str]:
    reply = await http.get(urlsplit(url).path)
    assert reply.status_code == 200, reply.text
    events = Calendar.from_ical(reply.content).walk("VEVENT")
    return sorted(e["dtstart"].dt.isoformat() for e in events if str(e["status"]) == "CONFIRMED")


def _to(mails, address: str) -> list:
    return [mail for mail in mails if address in mail.recipients]


async def test_a_starter_is_told_reminded_replaced_and_thanked(
    settings, notification_settings, clock, mail_sink
):
    notifications = create_notifications(
        notification_settings.model_copy(update={"district_office_emails": {"nord": OFFICE}}), clock=clock
    )
    cal_settings = calendar_settings(settings)
    app = create_app(cal_settings)
    calendar = app.state.service
    group = formed_group(members=5)
    async with EventTap(settings) as tap, running(calendar), running(notifications):
        await add_venue(calendar, "Stormen bibliotek")
        ola = await add_starter(calendar, "Ola")
        for number, member in enumerate(group.members):
            person = contact(member, name=f"{NAMES[number]} Nordmann", email=f"m{number}@example.org")
            await publish_as(settings, "registration", person)
        await publish_as(settings, "grouping", group)
        await tap.wait_for("meeting.scheduled.v1", group_id=group.group_id)
        # Randi comes later (so Ola is the group's starter) and reads English.
        randi = await add_starter(calendar, "Randi")
        async with calendar.sessions() as session, session.begin():
            await session.execute(update(starters).where(starters.c.id == randi).values(language="en"))
        ola_mail, randi_mail = await _email_of(calendar, ola), await _email_of(calendar, randi)

        # 1. Told: the group, its weekly time and place, the meetings it leads, the frame, a feed link.
        (assigned,) = await tap.wait_for("starter.assigned.v1", group_id=group.group_id)
        assert assigned["data"]["starter_id"] == str(ola) and len(assigned["data"]["meetings"]) == 3
        told = await eventually(
            lambda: mails_arrived(mail_sink, "Du er igangsetter for en ny", 1), timeout=30
        )
        text = told[0].part("plain")
        assert told[0].recipients == [ola_mail]
        assert "Stormen bibliotek" in text and "Gruppa har 5 medlemmer" in text and "hver tirsdag" in text
        assert "Taushetsplikt" in text and "Meldeplikt" in text and "lukket" in text
        meetings = sorted(datetime.fromisoformat(start) for start in assigned["data"]["meetings"])
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=cal_settings.calendar_url) as http:
            ola_feed = FEED.search(text).group(0)
            assert len(await _feed_starts(http, ola_feed)) == 3

            # Before the start the starter sees how many the members are; once started, their first names.
            _signed_in(http, cal_settings, STARTER_ROLE, ola_mail)
            page = (await http.get("/starter")).text
            assert "5 medlemmer" in page and "Navnene vises ikke" in page and NAMES[0] not in page
            await publish_as(
                settings, "grouping", GroupStarted(group_id=group.group_id, members=group.members)
            )

            async def names_shown():
                page = (await http.get("/starter")).text
                return page if all(name in page for name in NAMES) else None

            page = await eventually(names_shown, timeout=30)
            assert "Nordmann" not in page and "Navnene vises ikke" not in page

            # 2. Reminded like the members, before its first meeting.
            async with calendar.sessions() as session, session.begin():
                await session.execute(
                    update(reminders)
                    .where(reminders.c.group_id == group.group_id, reminders.c.kind == "24h")
                    .where(
                        reminders.c.meeting_start
                        == func.least(*[func.cast(m, DateTime(timezone=True)) for m in meetings[:1]])
                    )
                    .values(due_at=func.now())
                )
            calendar.jobs.wake()
            (due,) = await tap.wait_for("reminder.due.v1", group_id=group.group_id)
            assert due["data"]["starter_id"] == str(ola)
            reminded = await eventually(
                lambda: mails_arrived(mail_sink, "Påminnelse: du er igangsetter", 1), timeout=30
            )
            assert reminded[0].recipients == [ola_mail]

            # 3. "I cannot come" to the second meeting: the district office is told by mail.
            second = meetings[1].isoformat()
            _signed_in(http, cal_settings, STARTER_ROLE, ola_mail)
            reply = await http.post(
                f"/starter/groups/{group.group_id}/cannot-come", data={"meeting_start": second}
            )
            assert reply.status_code == 303
            office = await eventually(
                lambda: mails_arrived(mail_sink, "En igangsetter kan ikke komme", 1), timeout=30
            )
            assert office[0].recipients == [OFFICE]
            assert "/staff/replacements" in office[0].part("plain")

            # 4. The district office assigns Randi for that meeting, with a reason.
            _signed_in(http, cal_settings, STAFF_ROLE)
            page = await http.get("/staff/replacements")
            assert page.status_code == 200 and f'value="{randi}">Randi' in page.text
            form = {"group_id": str(group.group_id), "meeting_start": second, "starter_id": str(randi)}
            refused = await http.post("/staff/replacements/assign", data=form)
            assert "Skriv en begrunnelse" in (await http.get(refused.headers["location"])).text
            reply = await http.post("/staff/replacements/assign", data={**form, "reason": "Ola er syk"})
            page = await http.get(reply.headers["location"])
            assert "Erstatteren er satt inn" in page.text and 'class="replacement">Randi' in page.text
            told_randi = await eventually(
                lambda: mails_arrived(mail_sink, "You are the starter on", 1), timeout=30
            )
            assert told_randi[0].recipients == [randi_mail]
            randi_feed = FEED.search(told_randi[0].part("plain")).group(0)
            assert len(await _feed_starts(http, randi_feed)) == 1
            assert len(await _feed_starts(http, ola_feed)) == 2  # the first no longer has it
            _signed_in(http, cal_settings, STARTER_ROLE, randi_mail)
            assert "Stormen bibliotek" in (await http.get("/starter")).text
            # Extending the plan later keeps the replacement.
            async with calendar.sessions() as session, session.begin():
                await session.execute(update(groups).values(planned_until=None))
            await calendar.jobs.extend_plans()
            async with calendar.sessions() as session:
                owner = await session.scalar(
                    select(starter_bookings.c.starter_id).where(_START == meetings[1])
                )
                audited = await session.scalar(
                    select(audit_log.c.detail).where(audit_log.c.action == "starter_replaced")
                )
            assert owner == randi and "Ola er syk" in audited

            # Randi cannot come after all: the report reopens in her name and the office is told again.
            _signed_in(http, cal_settings, STARTER_ROLE, randi_mail)
            reply = await http.post(
                f"/starter/groups/{group.group_id}/cannot-come", data={"meeting_start": second}
            )
            assert "Distriktskontoret er varslet" in (await http.get(reply.headers["location"])).text
            await eventually(lambda: mails_arrived(mail_sink, "En igangsetter kan ikke komme", 2), timeout=30)
            _signed_in(http, cal_settings, STAFF_ROLE)
            page = (await http.get("/staff/replacements")).text
            assert "Sett inn erstatter" in page and 'class="replacement"' not in page
            async with calendar.sessions() as session, session.begin():
                await session.execute(update(groups).values(planned_until=None))
            await calendar.jobs.extend_plans()  # she keeps the booking until another is found
            async with calendar.sessions() as session:
                owner = await session.scalar(
                    select(starter_bookings.c.starter_id).where(_START == meetings[1])
                )
            assert owner == randi and len(await _feed_starts(http, ola_feed)) == 2

            # 5. After the last of the first meetings: both are thanked and no longer see the group.
            async with calendar.sessions() as session:
                last_end = await session.scalar(
                    select(func.max(func.upper(starter_bookings.c.during))).where(
                        starter_bookings.c.group_id == group.group_id
                    )
                )
            async with calendar.transaction() as uow:
                assert await release_starters(uow.session, uow.outbox, last_end + timedelta(minutes=1)) == 1
            (released,) = await tap.wait_for("starter.released.v1", group_id=group.group_id)
            assert sorted(released["data"]["starters"]) == sorted([str(ola), str(randi)])
            thanks = await eventually(
                lambda: mails_arrived(mail_sink, "Takk for innsatsen som igangsetter", 1), timeout=30
            )
            assert _to(thanks, ola_mail)
            assert _to(
                await eventually(lambda: mails_arrived(mail_sink, "Thank you for your work", 1), timeout=30),
                randi_mail,
            )
            assert "Stormen bibliotek" not in (await http.get("/starter")).text
            _signed_in(http, cal_settings, STARTER_ROLE, ola_mail)
            assert "Stormen bibliotek" not in (await http.get("/starter")).text
            assert await _feed_starts(http, ola_feed) == [] and await _feed_starts(http, randi_feed) == []
