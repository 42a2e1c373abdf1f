"""A person the district office takes out of a proposed group (`group.member_left.v1` with
`returned_to_pool`, issue 21) is told, in their language, that their invitation was withdrawn and that they
are back in the pool; nobody else is named. Someone who never got the invitation hears nothing, and a
member who leaves for another reason gets no such message."""

from __future__ import annotations

import asyncio
import re

import pytest
from notifications_support import INVITED, NAMES, GroupOfFour, contact, delivery_rows, mails, mails_arrived

from services.notifications import models
from shared.contracts import GroupMemberLeft
from tests.support import eventually, running

pytestmark = pytest.mark.integration
WITHDRAWN_EN = "Your invitation was withdrawn"
WITHDRAWN_NB = "Invitasjonen din er trukket tilbake"


async def _register(events, group: GroupOfFour, english: str) -> None:
    for name, participant_id in group.members.items():
        language = "en" if name == english else "nb"
        await events.publish(
            "registration", contact(participant_id, name=name, email=group.email(name), language=language)
        )


async def test_a_person_taken_out_of_a_proposed_group_is_told_in_their_language_and_no_one_else_is_named(
    notifications, events, mail_sink
):
    group = GroupOfFour()
    taken_out, declined = NAMES[0], NAMES[1]
    async with running(notifications):
        await _register(events, group, english=taken_out)
        await events.publish("grouping", group.formed())
        await events.publish("calendar", group.scheduled())
        await eventually(lambda: mails_arrived(mail_sink, INVITED, 3))
        await eventually(lambda: mails_arrived(mail_sink, "You are invited", 1))

        await events.publish(
            "grouping",
            GroupMemberLeft(
                group_id=group.group_id,
                participant_id=group.members[taken_out],
                before_start=True,
                returned_to_pool=True,
            ),
        )
        # Someone who declined themselves leaves too, without being told anything.
        await events.publish(
            "grouping",
            GroupMemberLeft(
                group_id=group.group_id, participant_id=group.members[declined], before_start=True
            ),
        )
        [withdrawn] = await eventually(lambda: mails_arrived(mail_sink, WITHDRAWN_EN, 1))
        await asyncio.sleep(1.0)

    assert withdrawn.recipients == [group.email(taken_out)]
    text = withdrawn.part("plain")
    assert "Hi Ada," in text and "back on the waiting list" in text and "keep your waiting time" in text
    for other in NAMES[1:]:
        assert not re.search(rf"\b({'|'.join(other.split())})\b", text), other
    assert mails(mail_sink, WITHDRAWN_NB) == []  # nobody else got one


async def test_someone_whose_invitation_had_not_gone_out_hears_nothing_and_it_never_goes(
    notifications, events, mail_sink
):
    group = GroupOfFour()
    taken_out = NAMES[0]
    async with running(notifications):
        await _register(events, group, english="")
        await events.publish("grouping", group.formed())  # not yet scheduled: no invitation sent
        await events.publish(
            "grouping",
            GroupMemberLeft(
                group_id=group.group_id,
                participant_id=group.members[taken_out],
                before_start=True,
                returned_to_pool=True,
            ),
        )
        await asyncio.sleep(1.0)
        await events.publish("calendar", group.scheduled())
        await eventually(lambda: mails_arrived(mail_sink, INVITED, 3))
        await asyncio.sleep(1.0)

    about_the_group = mails(mail_sink, INVITED) + mails(mail_sink, WITHDRAWN_NB)
    assert group.email(taken_out) not in {m.recipients[0] for m in about_the_group}
    assert (
        await delivery_rows(
            notifications,
            models.deliveries.c.recipient_id == group.members[taken_out],
            models.deliveries.c.group_id == group.group_id,
        )
        == []
    )
