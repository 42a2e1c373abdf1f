"""A group's own decisions across the real services and broker (issue 22): registration, grouping, calendar
and notifications run against one database and one vhost. A group below four merges with a second small
group once both vote yes: one group remains, the calendar moves the members and ends the other group's
meetings, registration places them in the remaining group, notifications tells them the time and place.
A group voting for every other week gets fortnightly meetings, and a pause over a holiday; a group voting to end is ended everywhere."""

from __future__ import annotations

import contextlib
import re
import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from services.calendar.app import create_app as create_calendar
from services.calendar.models import groups as calendar_groups
from services.calendar.models import memberships as calendar_members
from services.calendar.models import series, venue_bookings
from services.grouping.app import create_app as create_grouping
from services.grouping.decision_models import decisions
from services.grouping.models import groups
from services.notifications.app import create_service as create_notifications
from services.notifications.models import deliveries
from services.registration import commands as registration_commands
from services.registration.app import create_service as create_registration
from services.registration.models import registrations
from shared.auth import sign_link
from shared.contracts import GroupFormed, GroupStarted, MeetingFormat, RegistrationDetails
from tests.integration.calendar.calendar_harness import add_starter, add_venue, publish_as
from tests.support import eventually, running
from tests.support.decisions import a_running_group, decision_link
from tests.support.factories import registration_body

pytestmark = pytest.mark.integration

BODO = "1804"


class System:
    def __init__(self, settings) -> None:
        fast = settings.model_copy(update={"decision_poll_seconds": 0.2, "calendar_poll_seconds": 0.2})
        self.settings = fast
        self.registration = create_registration(fast)
        self.grouping_app = create_grouping(fast)
        self.grouping = self.grouping_app.state.service
        self.calendar_app = create_calendar(fast)
        self.calendar = self.calendar_app.state.service
        self.notifications = create_notifications(fast)

    async def register(self, count: int) -> list[uuid.UUID]:
        people = []
        async with self.registration.sessions() as session, session.begin():
            for _ in range(count):
                body = RegistrationDetails.model_validate(registration_body())
                people.append(
                    (
                        await registration_commands.submit_registration(
                            session, self.registration.outbox, body
                        )
                    ).participant_id
                )
        return people

    async def groups_in_every_service(self, sizes: list[int]) -> list[tuple[uuid.UUID, list[uuid.UUID]]]:
        """Running groups in grouping, scheduled at a venue of their own in the calendar, started."""
        made = []
        for index, size in enumerate(sizes):
            people = await self.register(size)
            made.append(await a_running_group(self.grouping, size, members=people))
            await add_venue(self.calendar, f"Bibliotek {index}")
            await add_starter(self.calendar, f"Starter{index}")
        return made

    async def announce(self, made) -> None:
        """What grouping published when these groups formed and started (they were put in its tables)."""
        for group_id, members in made:
            formed = GroupFormed(
                group_id=group_id,
                district="nord",
                slot="tue_evening",
                format=MeetingFormat.in_person,
                members=members,
                municipalities=[BODO] * len(members),
            )
            await publish_as(self.settings, "grouping", formed)
        for group_id, _ in made:
            await eventually(lambda g=group_id: self.calendar_status(g, "scheduled"), timeout=30)
        for group_id, members in made:
            await publish_as(self.settings, "grouping", GroupStarted(group_id=group_id, members=members))
        for _, members in made:
            await eventually(lambda m=members: self.placed_in(m), timeout=30)

    async def calendar_status(self, group_id: uuid.UUID, status: str) -> bool:
        async with self.calendar.sessions() as session:
            found = await session.scalar(
                select(calendar_groups.c.status).where(calendar_groups.c.group_id == group_id)
            )
        return found == status

    async def placed_in(self, members: list[uuid.UUID], group_id: uuid.UUID | None = None) -> bool:
        async with self.registration.sessions() as session:
            rows = (
                await session.execute(
                    select(registrations.c.group_id, registrations.c.status).where(
                        registrations.c.participant_id.in_(members)
                    )
                )
            ).all()
        return all(r.status == "placed" and (group_id is None or r.group_id == group_id) for r in rows)

    async def open_decision(self, group_id: uuid.UUID, kind: str):
        async with self.grouping.sessions() as session:
            return (
                await session.execute(
                    select(decisions).where(
                        decisions.c.group_id == group_id,
                        decisions.c.kind == kind,
                        decisions.c.status == "open",
                    )
                )
            ).one_or_none()

    async def vote(self, http, members, decision, choice: str) -> None:
        for member in members:
            answered = await http.post(
                decision_link(self.settings, member),
                data={"decision_id": str(decision.decision_id), "choice": choice},
            )
            assert answered.status_code == 303, answered.text

    @contextlib.asynccontextmanager
    async def running(self):
        async with (
            running(self.registration),
            running(self.calendar),
            running(self.notifications),
            running(self.grouping),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=self.grouping_app), base_url="http://grouping.test"
            ) as http,
        ):
            yield http


async def test_a_group_below_four_merges_with_another_small_group_when_both_vote_yes(settings):
    system = System(settings)
    (first, first_members), (second, second_members) = await system.groups_in_every_service([3, 2])
    async with system.running() as http:
        await system.announce([(first, first_members), (second, second_members)])

        # Below four: a decision opens at once, and every member is asked with their own link.
        asked = await eventually(lambda: system.open_decision(first, "below_minimum"), timeout=20)
        assert asked.proposal == {"merge_with": str(second)}

        async def vote_requests():
            async with system.notifications.sessions() as session:
                return await session.scalar(
                    select(func.count()).where(deliveries.c.message_type == "decision_vote_request")
                )

        assert await eventually(lambda: _at_least(vote_requests, 5), timeout=20)

        await system.vote(http, first_members, asked, "merge")
        merge = await eventually(lambda: system.open_decision(second, "merge"), timeout=20)
        await system.vote(http, second_members, merge, "yes")

        # One group remains in grouping...
        async with system.grouping.sessions() as session:
            statuses = dict((await session.execute(select(groups.c.group_id, groups.c.status))).all())
        assert statuses == {first: "started", second: "ended"}
        # ...the calendar gives the moved members the remaining group's meetings and ends the other's...
        await eventually(lambda: system.calendar_status(second, "ended"), timeout=30)

        async def moved_in_calendar():
            async with system.calendar.sessions() as session:
                rows = await session.execute(
                    select(calendar_members.c.participant_id).where(calendar_members.c.group_id == first)
                )
                return set(rows.scalars()) == {*first_members, *second_members}

        await eventually(moved_in_calendar, timeout=30)
        async with system.calendar.sessions() as session:
            future = await session.scalar(
                select(func.count()).where(
                    venue_bookings.c.group_id == second, func.lower(venue_bookings.c.during) > func.now()
                )
            )
        assert future == 0
        # ...registration places them in it, and notifications tells them its time and place.
        await eventually(lambda: system.placed_in(second_members, first), timeout=30)

        async def told_where():
            async with system.notifications.sessions() as session:
                rows = await session.execute(
                    select(deliveries.c.recipient_id).where(deliveries.c.message_type == "group_merged")
                )
                return set(rows.scalars()) == set(second_members)

        await eventually(told_where, timeout=30)


async def _at_least(count, wanted: int) -> bool:
    return (await count()) >= wanted


async def test_the_group_votes_for_every_other_week_and_the_calendar_follows(settings):
    system = System(settings)
    ((group_id, members),) = await system.groups_in_every_service([5])
    async with system.running() as http:
        await system.announce([(group_id, members)])
        # The member reaches the group's decisions from their meetings page.
        feed_token = sign_link(system.settings.keyring(), "participant-feed", members[0])
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=system.calendar_app), base_url="http://calendar.test"
        ) as calendar_http:
            meetings = await calendar_http.get(f"/meetings/{feed_token}?lang=en")
        (link,) = re.findall(r'href="([^"]+/decisions/[^"]+)"', meetings.text)
        assert link.startswith(system.settings.grouping_url)
        decisions_url = link.removeprefix(system.settings.grouping_url)
        assert "Your group&#39;s decisions" in (await http.get(decisions_url + "?lang=en")).text
        proposed = await http.post(decisions_url + "/propose", data={"proposal": "frequency_2"})
        assert proposed.status_code == 303
        decision = await system.open_decision(group_id, "change")
        await system.vote(http, members, decision, "yes")

        async def fortnightly():
            async with system.calendar.sessions() as session:
                current = (
                    await session.execute(
                        select(series.c.interval_weeks)
                        .where(series.c.group_id == group_id)
                        .order_by(series.c.segment.desc())
                        .limit(1)
                    )
                ).scalar_one()
            return current == 2

        await eventually(fortnightly, timeout=30)

        # Later the group pauses over a holiday: no meetings from the first day, again from the second.
        today = system.grouping.today(system.grouping.clock())
        pause_from, pause_until = today + timedelta(days=21), today + timedelta(days=42)
        proposed = await http.post(
            decisions_url + "/propose",
            data={
                "proposal": "pause",
                "pause_from": pause_from.isoformat(),
                "pause_until": pause_until.isoformat(),
            },
        )
        assert proposed.status_code == 303
        await system.vote(http, members, await system.open_decision(group_id, "change"), "yes")

        async def paused_then_resumed():
            async with system.calendar.sessions() as session:
                last = (
                    await session.execute(
                        select(series)
                        .where(series.c.group_id == group_id)
                        .order_by(series.c.segment.desc())
                        .limit(1)
                    )
                ).one()
            return last.paused_from is None and last.first_date >= pause_until and last.interval_weeks == 2

        await eventually(paused_then_resumed, timeout=30)


async def test_the_group_votes_to_end_and_every_service_shows_it_ended(settings):
    system = System(settings)
    ((group_id, members),) = await system.groups_in_every_service([4])
    async with system.running() as http:
        await system.announce([(group_id, members)])
        await http.post(decision_link(system.settings, members[0]) + "/propose", data={"proposal": "end"})
        decision = await system.open_decision(group_id, "change")
        await system.vote(http, members, decision, "yes")

        async with system.grouping.sessions() as session:
            assert (
                await session.scalar(select(groups.c.status).where(groups.c.group_id == group_id)) == "ended"
            )
        await eventually(lambda: system.calendar_status(group_id, "ended"), timeout=30)

        async def left_in_registration():
            async with system.registration.sessions() as session:
                rows = await session.execute(
                    select(registrations.c.left_group_at).where(registrations.c.participant_id.in_(members))
                )
                return all(at is not None for at in rows.scalars())

        await eventually(left_in_registration, timeout=30)
