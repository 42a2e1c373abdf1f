"""Issue #22, the first "Done when", with the real services on real RabbitMQ and PostgreSQL: a group starts
→ a member leaves → the group is below four → the members vote on their decision page to ask for two
newcomers → they vote the candidates in → they are invited, accept and confirm → the group is back at five, and the
calendar (its members, the newcomer's own feed) and the reminders of the next meeting cover the newcomers."""

from __future__ import annotations

import contextlib
import uuid
from datetime import date

import httpx
import pytest
from sqlalchemy import func, select, update

from services.calendar.app import create_app as create_calendar_app
from services.calendar.models import memberships as calendar_members
from services.calendar.models import reminders
from services.calendar.sample import load_sample_into
from services.grouping.app import create_app as create_grouping_app
from services.grouping.decision_models import decisions
from services.grouping.models import groups as grouping_groups
from services.grouping.models import memberships as grouping_members
from services.grouping.models import outbox as grouping_outbox
from services.notifications.app import create_service as create_notifications
from services.notifications.models import deliveries
from services.registration.app import create_app as create_registration_app
from shared.auth import sign_link
from shared.sample import registration_body
from tests.support import eventually, running

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def person(i: int) -> dict:
    # Fixed birth dates: ages within a few years of each other whatever day the test runs.
    return registration_body(
        participant={"name": f"Deltaker{i} Test", "email": f"deltaker{i}@example.org"},
        birth_date=date(1988 + i % 4, 3, 1 + i).isoformat(),
        gender="female" if i % 2 else "male",
        topic="grief",
        composition="any",
        format="in_person",
        municipality="1804",
        availability=["tue_evening"],
    )


async def rows(service, statement) -> list:
    async with service.sessions() as session:
        return list((await session.execute(statement)).all())


async def grouping_events(grouping, event_type: str) -> list[dict]:
    found = await rows(
        grouping,
        select(grouping_outbox.c.payload)
        .where(grouping_outbox.c.event_type == event_type)
        .order_by(grouping_outbox.c.id),
    )
    return [r.payload for r in found]


async def delivered(notifications, message_type: str) -> set[uuid.UUID]:
    found = await rows(
        notifications,
        select(deliveries.c.recipient_id).where(deliveries.c.message_type == message_type),
    )
    return {r.recipient_id for r in found}


async def register(client: httpx.AsyncClient, people: list[dict]) -> list[uuid.UUID]:
    ids = []
    for body in people:
        response = await client.post("/api/v1/registrations", json=body)
        assert response.status_code == 202, response.text
        ids.append(uuid.UUID(response.json()["registration_id"]))
    return ids


async def test_a_group_below_four_asks_for_two_newcomers_votes_them_in_and_the_calendar_follows(settings):
    settings = settings.model_copy(
        update={
            "planning_debounce_seconds": 0.5,
            "planner_poll_seconds": 0.1,
            "calendar_poll_seconds": 0.2,
            "notification_poll_seconds": 0.2,
        }
    )
    await load_sample_into(settings.database_url)  # venues and starters in Bodø
    registration_app = create_registration_app(settings)
    grouping_app = create_grouping_app(settings)
    calendar_app = create_calendar_app(settings)
    grouping, calendar = grouping_app.state.service, calendar_app.state.service
    notifications = create_notifications(settings)
    key = settings.keyring()
    async with contextlib.AsyncExitStack() as stack:
        for service in (registration_app.state.service, grouping, calendar, notifications):
            await stack.enter_async_context(running(service))
        clients = {
            name: await stack.enter_async_context(
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url=f"http://{name}", timeout=30
                )
            )
            for name, app in (
                ("registration", registration_app),
                ("grouping", grouping_app),
                ("calendar", calendar_app),
            )
        }

        # Start: four people form a group, accept and confirm; the calendar schedules it.
        founders = await register(clients["registration"], [person(i) for i in range(4)])
        formed = await eventually(lambda: grouping_events(grouping, "group.formed.v1"), timeout=60)
        group_id = uuid.UUID(formed[0]["data"]["group_id"])
        for member in founders:
            answer = await clients["grouping"].post(
                f"/invitations/{sign_link(key, 'invitation', member)}",
                data={"decision": "accept", "confidentiality": "yes"},
            )
            assert answer.status_code == 200
        await eventually(lambda: grouping_events(grouping, "group.started.v1"), timeout=30)
        await eventually(lambda: delivered(notifications, "first_meeting"), timeout=60)

        # Three more people wait in the pool: too few for a group of their own.
        waiting = await register(clients["registration"], [person(10 + i) for i in range(3)])

        # A member leaves: the group is below four.
        leaver, *staying = founders
        left = await clients["grouping"].post(
            f"/api/v1/membership/{sign_link(key, 'admission-vote', leaver)}/leave"
        )
        assert left.status_code == 202
        below = await grouping_events(grouping, "group.below_minimum.v1")
        assert below[0]["data"]["members"] == 3

        # The members' meetings page links to their newcomers page, where any member may also ask.
        meetings = await clients["calendar"].get(
            f"/meetings/{sign_link(key, 'participant-feed', staying[0])}"
        )
        assert f"/admission/{sign_link(key, 'admission-vote', staying[0])}".split(".")[0] in meetings.text

        async def all_waiting_in_grouping():
            from services.grouping.models import pool

            found = await rows(grouping, select(pool.c.status).where(pool.c.participant_id.in_(waiting)))
            return len(found) == 3 and {r.status for r in found} == {"waiting"}

        await eventually(all_waiting_in_grouping, timeout=30)

        # Below four, the group is asked what it wants (its decision page, linked from every member's
        # messages); the members vote to ask for two newcomers, which starts the candidates' vote.
        async def below_four_decision():
            async with grouping.sessions() as session:
                return (
                    await session.execute(
                        select(decisions).where(
                            decisions.c.group_id == group_id,
                            decisions.c.kind == "below_minimum",
                            decisions.c.status == "open",
                        )
                    )
                ).one_or_none()

        decision = await eventually(below_four_decision, timeout=30)
        for member in staying:
            voted = await clients["grouping"].post(
                f"/decisions/{sign_link(key, 'group-decision', member)}",
                data={"decision_id": str(decision.decision_id), "choice": "newcomers", "newcomers": "2"},
            )
            assert voted.status_code == 303, voted.text
        assert await eventually(
            lambda: _at_least(notifications, "admission_vote_request", set(staying))
        ) == set(staying)

        # Each remaining member votes yes to the first two candidates, no to the third.
        for member in staying:
            vote = await clients["grouping"].post(
                f"/admission/{sign_link(key, 'admission-vote', member)}",
                data={"candidate-1": "yes", "candidate-2": "yes", "candidate-3": "no"},
            )
            assert vote.status_code == 303
        invited = await grouping_events(grouping, "group.newcomer_invited.v1")
        newcomers = [uuid.UUID(i["data"]["participant_id"]) for i in invited]
        assert newcomers == waiting[:2]  # longest-waiting first
        assert await eventually(
            lambda: _at_least(notifications, "newcomer_invitation", set(newcomers))
        ) == set(newcomers)

        # They accept and confirm the confidentiality agreement.
        for newcomer in newcomers:
            answer = await clients["grouping"].post(
                f"/invitations/{sign_link(key, 'invitation', newcomer)}",
                data={"decision": "accept", "confidentiality": "yes"},
            )
            assert answer.status_code == 200

        # The group is back at five, in grouping and in the calendar.
        members = await rows(
            grouping,
            select(grouping_members.c.participant_id).where(
                grouping_members.c.group_id == group_id, grouping_members.c.status == "accepted"
            ),
        )
        assert {r.participant_id for r in members} == {*staying, *newcomers}
        # Back at five: the district office's "below minimum" flag is gone.
        flag = await rows(
            grouping, select(grouping_groups.c.flag).where(grouping_groups.c.group_id == group_id)
        )
        assert flag[0].flag is None

        async def calendar_has_them():
            found = await rows(
                calendar,
                select(calendar_members.c.participant_id).where(calendar_members.c.group_id == group_id),
            )
            return {r.participant_id for r in found} == {*staying, *newcomers}

        await eventually(calendar_has_them, timeout=30)
        # The newcomers hear their first meeting, and the others that someone joins from it.
        assert set(newcomers) <= await eventually(
            lambda: _at_least(notifications, "first_meeting", set(newcomers)), timeout=30
        )
        assert await eventually(lambda: delivered(notifications, "newcomer_joined"), timeout=30) >= set(
            staying
        )
        # A newcomer's own calendar feed has the group's meetings.
        feed = await clients["calendar"].get(
            f"/feeds/participants/{sign_link(key, 'participant-feed', newcomers[0])}.ics"
        )
        assert feed.status_code == 200 and "BEGIN:VEVENT" in feed.text

        # The next meeting's reminders fall due: they reach the newcomers too.
        async with calendar.sessions() as session, session.begin():
            first_start = await session.scalar(
                select(func.min(reminders.c.meeting_start)).where(
                    reminders.c.group_id == group_id, reminders.c.state == "pending"
                )
            )
            await session.execute(
                update(reminders)
                .where(reminders.c.group_id == group_id, reminders.c.meeting_start == first_start)
                .values(due_at=func.now())
            )
        reminded = await eventually(
            lambda: _at_least(notifications, "meeting_reminder", {*staying, *newcomers}), timeout=30
        )
    assert reminded >= {*staying, *newcomers}
    assert leaver not in reminded


async def _at_least(notifications, message_type: str, expected: set[uuid.UUID]) -> set[uuid.UUID] | None:
    found = await delivered(notifications, message_type)
    return found if expected <= found else None
