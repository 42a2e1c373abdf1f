"""Newcomers by the group's decision, in grouping against real RabbitMQ and PostgreSQL: a member asks for
newcomers on their page, the planner proposes candidates from the pool, the members vote per candidate, the
vote is decided (when all voted, or at the deadline by those who voted), the accepted are invited one by
one and join once they accept and confirm the confidentiality agreement."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select

from services.grouping.app import create_app
from services.grouping.commands.invitations import expire_invitations
from services.grouping.commands.newcomer_votes import decide_due_requests
from services.grouping.commands.newcomers import start_newcomer_request
from services.grouping.models import admission_candidates, admission_requests, memberships
from shared.auth import sign_link
from tests.integration.grouping.test_grouping_lifecycle import (
    RULES,
    accepted,
    answer,
    events,
    join_pool,
    query,
)
from tests.support import eventually, running

pytestmark = pytest.mark.integration


@pytest.fixture
def grouping_settings(settings):
    return settings.model_copy(update={"planning_debounce_seconds": 1.5, "planner_poll_seconds": 0.1})


async def _started_group(client, service, settings, size: int):
    members = [accepted(i) for i in range(size)]
    await join_pool(settings, members)
    formed = await eventually(lambda: events(service, "group.formed.v1"))
    for person in members:
        assert (await answer(client, settings.keyring(), person.participant_id, "accept")).status_code == 200
    await eventually(lambda: events(service, "group.started.v1"))
    return uuid.UUID(formed[0]["data"]["group_id"]), members


async def _waiting(service, settings, people) -> None:
    await join_pool(settings, people)

    async def all_waiting():
        from services.grouping.models import pool

        rows = await query(
            service,
            select(pool.c.status).where(pool.c.participant_id.in_([p.participant_id for p in people])),
        )
        return len(rows) == len(people) and all(r.status == "waiting" for r in rows)

    await eventually(all_waiting)


def _page(key, person) -> str:
    return f"/admission/{sign_link(key, 'admission-vote', person.participant_id)}"


async def _candidates(service, request_id) -> dict[int, tuple[uuid.UUID, str]]:
    rows = await query(
        service,
        select(
            admission_candidates.c.position,
            admission_candidates.c.participant_id,
            admission_candidates.c.status,
        ).where(admission_candidates.c.request_id == request_id),
    )
    return {r.position: (r.participant_id, r.status) for r in rows}


async def _request(service, group_id):
    return (
        await query(service, select(admission_requests).where(admission_requests.c.group_id == group_id))
    )[-1]


async def test_members_ask_vote_per_candidate_and_the_accepted_join_once_they_accept(grouping_settings):
    app = create_app(grouping_settings, RULES)
    service = app.state.service
    key = grouping_settings.keyring()
    async with (
        running(service),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://grouping") as client,
    ):
        group_id, members = await _started_group(client, service, grouping_settings, 5)
        pool_people = [accepted(20 + i) for i in range(3)]
        await _waiting(service, grouping_settings, pool_people)
        assert await events(service, "group.member_joined.v1") == []  # closed: the planner adds nobody

        page = await client.get(_page(key, members[0]) + "?lang=en")
        assert page.status_code == 200 and 'lang="en"' in page.text and "From 1 to 3." in page.text
        too_many = await client.post(_page(key, members[0]) + "/request?lang=en", data={"wanted": "4"})
        assert too_many.status_code == 422 and "Choose a number from 1 to 3." in too_many.text
        asked = await client.post(_page(key, members[0]) + "/request", data={"wanted": "2"})
        assert asked.status_code == 303
        requested = await events(service, "group.admission_requested.v1")
        assert requested[0]["data"]["wanted"] == 2 and requested[0]["data"]["candidates"] == 3
        assert sorted(requested[0]["data"]["members"]) == sorted(str(m.participant_id) for m in members)
        request = await _request(service, group_id)
        candidates = await _candidates(service, request.request_id)
        # Longest-waiting first; the page shows an age band and gender, never who they are.
        assert [candidates[i][0] for i in (1, 2, 3)] == [p.participant_id for p in pool_people]
        vote_page = await client.get(_page(key, members[1]))
        assert "Proposal 3" in vote_page.text and str(pool_people[0].participant_id) not in vote_page.text

        unanswered = await client.post(_page(key, members[1]), data={})
        assert unanswered.status_code == 422 and "Answer yes or no for each proposal." in unanswered.text
        for i, member in enumerate(members):
            # 1: yes by all; 2: no by 3 of 5; 3: yes by 3 of 5.
            votes = {"candidate-1": "yes", "candidate-2": "no" if i < 3 else "yes"}
            votes["candidate-3"] = "yes" if i < 3 else "no"
            assert (await client.post(_page(key, member), data=votes)).status_code == 303
        # Everyone voted on everyone: decided at once.
        invited = await events(service, "group.newcomer_invited.v1")
        assert [i["data"]["participant_id"] for i in invited] == [
            str(pool_people[0].participant_id),
            str(pool_people[2].participant_id),
        ]
        assert (await events(service, "group.admission_decided.v1"))[0]["data"]["admitted"] is True

        invitation = await client.get(
            f"/invitations/{sign_link(key, 'invitation', pool_people[0].participant_id)}"
        )
        assert "has chosen to invite you in" in invitation.text
        await answer(client, key, pool_people[0].participant_id, "accept")
        await answer(client, key, pool_people[2].participant_id, "decline")
        joined = await events(service, "group.member_joined.v1")
        request = await _request(service, group_id)
    assert [j["data"]["participant_id"] for j in joined] == [str(pool_people[0].participant_id)]
    assert request.status == "unfilled"  # the second accepted declined and nobody else got a yes
    statuses = {c[0]: c[1] for c in (await _candidates(service, request.request_id)).values()}
    assert statuses == {
        pool_people[0].participant_id: "joined",
        pool_people[1].participant_id: "refused",
        pool_people[2].participant_id: "declined",
    }
    in_group = await query(
        service,
        select(memberships.c.participant_id).where(
            memberships.c.group_id == group_id, memberships.c.status == "accepted"
        ),
    )
    assert len(in_group) == 6


async def test_the_deadline_decides_by_those_who_voted_and_a_decline_invites_the_next(grouping_settings):
    app = create_app(grouping_settings, RULES)
    service = app.state.service
    key = grouping_settings.keyring()
    async with (
        running(service),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://grouping") as client,
    ):
        group_id, members = await _started_group(client, service, grouping_settings, 5)
        pool_people = [accepted(20 + i) for i in range(2)]
        await _waiting(service, grouping_settings, pool_people)
        asked = await client.post(_page(key, members[0]) + "/request", data={"wanted": "1"})
        assert asked.status_code == 303
        # The group's own decision (requested_by None, as the below-four decision calls it) while a request
        # is open gets that request back: one at a time per group.
        async with service.transaction() as uow:
            same = await start_newcomer_request(
                uow.session, uow.outbox, group_id, wanted=1, requested_by=None, as_of=service.today()
            )
        assert same == (await _request(service, group_id)).request_id
        # Two of five vote, both yes to both: no majority of all members, but a majority of those who voted.
        for member in members[:2]:
            await client.post(_page(key, member), data={"candidate-1": "yes", "candidate-2": "yes"})
        request = await _request(service, group_id)
        assert request.status == "voting"
        async with service.transaction() as uow:
            early = await decide_due_requests(
                uow.session,
                uow.outbox,
                now=request.vote_by - timedelta(seconds=1),
                as_of=service.today(),
                rules=RULES,
                timing=service.timing,
            )
            decided = await decide_due_requests(
                uow.session,
                uow.outbox,
                now=request.vote_by,
                as_of=service.today(),
                rules=RULES,
                timing=service.timing,
            )
        assert (early, decided) == (0, 1)
        invited = await events(service, "group.newcomer_invited.v1")
        assert [i["data"]["participant_id"] for i in invited] == [str(pool_people[0].participant_id)]

        # The first lets the invitation lapse: the next accepted candidate is invited.
        async with service.transaction() as uow:
            await expire_invitations(
                uow.session,
                uow.outbox,
                now=request.vote_by + timedelta(days=30),
                as_of=service.today(),
                rules=RULES,
                timing=service.timing,
            )
        invited = await events(service, "group.newcomer_invited.v1")
        assert [i["data"]["participant_id"] for i in invited][1:] == [str(pool_people[1].participant_id)]
        await answer(client, key, pool_people[1].participant_id, "accept")
        request = await _request(service, group_id)
        joined = await events(service, "group.member_joined.v1")
    assert request.status == "filled"
    assert [j["data"]["participant_id"] for j in joined] == [str(pool_people[1].participant_id)]
