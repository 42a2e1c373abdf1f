"""A group's own decisions in grouping, against the real database and broker: a group below four is asked at
once; its members vote through their links (and may change their vote); the majority of those who answered
decides at the deadline on the service's clock, or as soon as everyone answered; nobody answering asks the
district office; two small groups merge only when both agree."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from services.grouping.app import create_app
from services.grouping.commands import pool
from services.grouping.decision_models import decision_votes, decisions
from services.grouping.models import audit_log, groups, memberships, outbox
from shared.auth import issue_staff_token
from shared.contracts import ParticipantErased
from tests.support import running
from tests.support.decisions import SetClock, a_running_group, decision_link

pytestmark = pytest.mark.integration

MONDAY = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return SetClock(MONDAY)


@pytest.fixture
async def app(settings, clock):
    # The job runs only when a test asks for it: the test moves the clock between passes.
    app = create_app(settings.model_copy(update={"decision_poll_seconds": 3600}))
    app.state.service.clock = clock
    async with running(app.state.service):
        yield app


@pytest.fixture
async def client(app):
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://grouping.test") as http:
        yield http


async def rows(service, statement) -> list:
    async with service.sessions() as session:
        return list((await session.execute(statement)).all())


async def staged(service, event_type: str) -> list[dict]:
    found = await rows(service, select(outbox.c.payload).where(outbox.c.event_type == event_type))
    return [r.payload["data"] for r in found]


async def open_decision(service, group_id: uuid.UUID, kind: str):
    (row,) = await rows(
        service,
        select(decisions).where(
            decisions.c.group_id == group_id, decisions.c.kind == kind, decisions.c.status == "open"
        ),
    )
    return row


async def test_a_group_below_four_is_asked_at_once_and_ends_when_most_say_so(app, client, settings):
    service = app.state.service
    group_id, members = await a_running_group(service, 3)
    await service.decisions.run_once()

    decision = await open_decision(service, group_id, "below_minimum")
    assert decision.deadline == MONDAY + timedelta(days=7)
    (opened,) = await staged(service, "group.decision_opened.v1")
    assert sorted(opened["members"]) == sorted(str(m) for m in members)
    assert opened["choices"] == ["newcomers", "end"]  # no small group nearby to merge with

    page = await client.get(decision_link(settings, members[0]) + "?lang=en")
    assert "fewer than four members" in page.text and 'value="newcomers"' in page.text
    # The second member changes their mind before the deadline: their last vote counts. Once all three
    # have answered, nobody can change the count: the group decides at once.
    votes = [(members[0], "end"), (members[1], "newcomers"), (members[1], "end"), (members[2], "newcomers")]
    for member, choice in votes:
        answered = await client.post(
            decision_link(settings, member),
            data={"decision_id": str(decision.decision_id), "choice": choice, "newcomers": "2"},
        )
        assert answered.status_code == 303

    (group,) = await rows(service, select(groups.c.status).where(groups.c.group_id == group_id))
    assert group.status == "ended"
    (reached,) = await staged(service, "group.decision_reached.v1")
    assert reached["result"] == "end"
    assert [e["group_id"] for e in await staged(service, "group.ended.v1")] == [str(group_id)]
    audit = await rows(service, select(audit_log.c.actor, audit_log.c.action))
    assert ("group-decision", "end_group") in [tuple(a) for a in audit]
    votes = await rows(service, select(decision_votes.c.choice))
    assert sorted(v.choice for v in votes) == ["end", "end", "newcomers"]


async def test_the_majority_of_those_who_answered_decides_at_the_deadline(app, client, settings, clock):
    service = app.state.service
    group_id, members = await a_running_group(service, 5)

    proposed = await client.post(
        decision_link(settings, members[0]) + "/propose?lang=en", data={"proposal": "frequency_2"}
    )
    assert proposed.status_code == 303 and "done=proposed" in proposed.headers["location"]
    decision = await open_decision(service, group_id, "change")
    assert decision.proposal == {"change": "frequency", "interval_weeks": 2}
    assert decision.proposed_by == members[0]
    for member in members[:2]:
        await client.post(
            decision_link(settings, member), data={"decision_id": str(decision.decision_id), "choice": "yes"}
        )

    clock.now = MONDAY + timedelta(days=6, hours=23)
    await service.decisions.run_once()
    assert (await open_decision(service, group_id, "change")).status == "open"

    clock.now = MONDAY + timedelta(days=7)
    await service.decisions.run_once()
    (decided,) = await staged(service, "group.schedule_decided.v1")
    assert decided["interval_weeks"] == 2 and decided["from_date"] == "2026-03-10"
    assert (await staged(service, "group.decision_reached.v1"))[0]["result"] == "yes"

    # Too late: the vote is closed, and the page says so in the reader's language.
    late = await client.post(
        decision_link(settings, members[4]) + "?lang=en",
        data={"decision_id": str(decision.decision_id), "choice": "no"},
    )
    assert late.status_code == 422 and "The deadline of this decision has passed." in late.text


async def test_a_tie_keeps_the_group_as_it_is(app, client, settings, clock):
    service = app.state.service
    group_id, members = await a_running_group(service, 5)
    await client.post(decision_link(settings, members[0]) + "/propose", data={"proposal": "end"})
    decision = await open_decision(service, group_id, "change")
    for member, choice in zip(members[:2], ["yes", "no"], strict=True):
        await client.post(
            decision_link(settings, member), data={"decision_id": str(decision.decision_id), "choice": choice}
        )
    clock.now = MONDAY + timedelta(days=8)
    await service.decisions.run_once()
    assert (await staged(service, "group.decision_reached.v1"))[0]["result"] == "kept"
    assert (await rows(service, select(groups.c.status)))[0].status == "started"


async def test_without_any_answer_the_district_office_follows_up(app, client, settings, clock):
    service = app.state.service
    group_id, members = await a_running_group(service, 5)
    await client.post(
        decision_link(settings, members[0]) + "/propose",
        data={"proposal": "pause", "pause_from": "2026-03-30", "pause_until": "2026-04-13"},
    )
    clock.now = MONDAY + timedelta(days=7, seconds=1)
    await service.decisions.run_once()

    (decision,) = await rows(service, select(decisions.c.status, decisions.c.outcome))
    assert decision.status == "follow_up" and decision.outcome["result"] == "no_answer"
    (group,) = await rows(service, select(groups.c.status, groups.c.flag_code))
    assert group.status == "started" and group.flag_code["code"] == "decision_unanswered"
    audit = await rows(service, select(audit_log.c.actor, audit_log.c.action, audit_log.c.subject_id))
    assert [tuple(a) for a in audit] == [("group-decision", "decision_follow_up", group_id)]
    assert await staged(service, "group.schedule_decided.v1") == []
    # The district office sees why on the group's page and the overview, in its language.
    client.cookies.set("staff_token", issue_staff_token(settings.keyring(), "ane", "nord", ["staff"]))
    group_page = await client.get(f"/staff/groups/{group_id}?lang=en")
    assert "no member answered a decision by its deadline" in group_page.text
    overview = await client.get("/staff?lang=nb")
    assert "ingen medlemmer svarte på en avgjørelse innen fristen" in overview.text


async def test_a_proposal_is_checked_and_refused_in_the_readers_language(app, client, settings):
    member = (await a_running_group(app.state.service, 5))[1][0]
    backwards = {"proposal": "pause", "pause_from": "2026-04-13", "pause_until": "2026-03-30"}
    nb = await client.post(decision_link(settings, member) + "/propose", data=backwards)
    assert nb.status_code == 422 and "Datoen dere møtes igjen må komme etter at pausen begynner." in nb.text
    en = await client.post(decision_link(settings, member) + "/propose?lang=en", data={})
    assert en.status_code == 422 and "Choose one of the answers." in en.text
    stranger = await client.get(decision_link(settings, uuid.uuid4()).replace("/decisions/", "/decisions/x"))
    assert stranger.status_code == 404


async def test_two_small_groups_merge_only_when_both_agree(app, client, settings):
    service = app.state.service
    first, first_members = await a_running_group(service, 3)
    second, second_members = await a_running_group(service, 2)
    await service.decisions.run_once()

    asked = await open_decision(service, first, "below_minimum")
    assert asked.proposal == {"merge_with": str(second)}
    for member in first_members:
        await client.post(
            decision_link(settings, member), data={"decision_id": str(asked.decision_id), "choice": "merge"}
        )
    # Nothing moves until the other group agrees.
    assert {r.status for r in await rows(service, select(groups.c.status))} == {"started"}
    merge = await open_decision(service, second, "merge")
    page = await client.get(decision_link(settings, second_members[0]))
    assert "vil slå seg sammen med dere" in page.text
    for member in second_members:
        await client.post(
            decision_link(settings, member), data={"decision_id": str(merge.decision_id), "choice": "yes"}
        )

    # The larger group remains; the smaller one's members move into it.
    statuses = dict(await rows(service, select(groups.c.group_id, groups.c.status)))
    assert statuses == {first: "started", second: "ended"}
    active = await rows(
        service,
        select(memberships.c.participant_id).where(
            memberships.c.group_id == first, memberships.c.status == "accepted"
        ),
    )
    assert {r.participant_id for r in active} == {*first_members, *second_members}
    (merged,) = await staged(service, "group.merged.v1")
    assert merged["from_group_id"] == str(second) and merged["into_group_id"] == str(first)
    assert sorted(merged["moved"]) == sorted(str(m) for m in second_members)
    # Nothing is left open for the groups: the merge answered their other decisions.
    assert await rows(service, select(decisions.c.decision_id).where(decisions.c.status == "open")) == []


async def test_an_erased_members_votes_and_name_as_proposer_go(app, client, settings):
    service = app.state.service
    group_id, members = await a_running_group(service, 5)
    await client.post(decision_link(settings, members[0]) + "/propose", data={"proposal": "frequency_2"})
    decision = await open_decision(service, group_id, "change")
    for member in members[:2]:
        await client.post(
            decision_link(settings, member), data={"decision_id": str(decision.decision_id), "choice": "yes"}
        )

    erased = ParticipantErased(participant_id=members[0]).envelope(source="registration")
    async with service.transaction() as uow:
        await pool.erase_person(
            uow.session, uow.outbox, erased, as_of=service.today(), rules=service.rules, timing=service.timing
        )

    votes = await rows(service, select(decision_votes.c.participant_id))
    assert [v.participant_id for v in votes] == [members[1]]
    (kept,) = await rows(service, select(decisions.c.proposed_by, decisions.c.proposal))
    assert kept.proposed_by is None and kept.proposal == {"change": "frequency", "interval_weeks": 2}
