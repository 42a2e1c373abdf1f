"""A person chooses channel, language and to get only the essential messages; essential ones still come."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import pytest
from notifications_support import GroupOfFour, mails, mails_arrived, start_group

from services.notifications.links import Links
from shared.contracts import MeetingCancelled, ReminderDue
from tests.support import eventually, running

pytestmark = pytest.mark.integration


async def test_an_opt_out_stops_reminders_but_not_cancellations_which_come_in_the_chosen_language(
    notifications, events, mail_sink, client
):
    group = GroupOfFour()
    ada = group.members["Ada Berg"]
    path = urlsplit(Links(notifications.settings).preferences(ada)).path
    async with running(notifications):
        await start_group(events, group, mail_sink)

        page = await client.get(path)
        assert page.status_code == 200 and 'name="only_essential"' in page.text
        assert page.headers["cache-control"] == "no-store"
        saved = await client.post(path, data={"channel": "email", "language": "en", "only_essential": "yes"})
        assert saved.status_code == 200 and "Your choices are saved." in saved.text
        assert (await client.get(path.replace(path.rsplit("/", 1)[1], "forged.123.abc"))).status_code == 404

        members = list(group.members.values())
        await events.publish(
            "calendar",
            ReminderDue(group_id=group.group_id, meeting_start=group.first_meeting, members=members),
        )
        await events.publish(
            "calendar", MeetingCancelled(group_id=group.group_id, occurrence=group.first_meeting)
        )
        reminders = await eventually(lambda: mails_arrived(mail_sink, "Påminnelse", 3))
        cancelled = await eventually(lambda: mails_arrived(mail_sink, "The meeting on", 1))
        await eventually(lambda: mails_arrived(mail_sink, "Møtet", 3))
        await asyncio.sleep(1.0)

    assert group.email("Ada Berg") not in {m.recipients[0] for m in reminders}
    assert len(mails(mail_sink, "Påminnelse")) == 3
    [english] = cancelled
    assert english.recipients == [group.email("Ada Berg")]
    assert "Hi Ada," in english.part("plain")
    assert english.message["Content-Language"] == "en"
