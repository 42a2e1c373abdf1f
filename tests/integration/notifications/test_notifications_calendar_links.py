"""The "group is ready" and "first meeting" messages carry the person's meetings page and calendar
subscription, and both links work on the calendar service that scheduled the group (issue 21, item 8)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import httpx
import pytest
from notifications_support import contact, mails_arrived

from services.calendar.feeds_api import feeds
from services.calendar.member_pages import member_pages
from shared.contracts import GroupStarted
from tests.integration.calendar.calendar_harness import (
    EventTap,
    add_starter,
    add_venue,
    calendar_settings,
    formed_group,
    new_service,
    publish_as,
)
from tests.support import eventually, running

pytestmark = pytest.mark.integration

LINK = re.compile(r"https?://[^\s\"'<>]+")
READY = "Gruppa di er klar"
FIRST = "Første møte i gruppa"


def _links(mail, base: str) -> dict[str, str]:
    found = {}
    for url in LINK.findall(mail.part("plain")):
        if url.startswith(f"{base}/meetings/"):
            found["meetings"] = url
        elif url.startswith(f"{base}/feeds/participants/"):
            found["feed"] = url
    return found


async def test_ready_and_first_meeting_mails_carry_working_meetings_and_feed_links(
    settings, notifications, mail_sink
):
    calendar = new_service(calendar_settings(settings))
    base = notifications.settings.calendar_url
    group = formed_group(members=4)
    addresses = {member: f"person{i}@example.org" for i, member in enumerate(group.members)}
    async with EventTap(settings) as tap, running(calendar), running(notifications):
        await add_venue(calendar, "Stormen bibliotek")
        await add_starter(calendar)
        for member, address in addresses.items():
            await publish_as(settings, "registration", contact(member, name="Kari Nordmann", email=address))
        # Both services hear the group formed; the calendar schedules it and notifications hears that.
        await publish_as(settings, "grouping", group)
        await tap.wait_for("meeting.scheduled.v1", group_id=group.group_id)
        await publish_as(settings, "grouping", GroupStarted(group_id=group.group_id, members=group.members))
        ready = await eventually(lambda: mails_arrived(mail_sink, READY, 4), timeout=30)
        first = await eventually(lambda: mails_arrived(mail_sink, FIRST, 4), timeout=30)

    transport = httpx.ASGITransport(app=calendar.http_app(feeds, member_pages))
    async with httpx.AsyncClient(transport=transport, base_url=base) as client:
        for mail in (*ready, *first):
            links = _links(mail, base)
            assert set(links) == {"meetings", "feed"}, mail.part("plain")
            html = mail.part("html")
            assert links["meetings"] in html and links["feed"] in html
            meetings = await client.get(urlsplit(links["meetings"]).path)
            assert meetings.status_code == 200
            assert "Stormen bibliotek" in meetings.text  # the group's own meetings, not an empty page
            feed = await client.get(urlsplit(links["feed"]).path)
            assert feed.status_code == 200
            assert feed.headers["content-type"].startswith("text/calendar")
            assert "BEGIN:VEVENT" in feed.text and "Stormen bibliotek" in feed.text
    # Each person gets their own link.
    assert len({_links(mail, base)["feed"] for mail in ready}) == 4
