"""Fixing what blocks a group on calendar's staff page, against real PostgreSQL and RabbitMQ: the page says
why in the reader's language and what would help; a group failing for want of a starter is scheduled once
a starter is registered there; another slot all members share can be chosen; scheduling without a starter
works only where the district allows it. Every fix is audited with who and why."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from calendar_harness import (
    EventTap,
    add_starter,
    add_venue,
    calendar_settings,
    formed_group,
    publish_as,
    wait_until_decided,
)
from sqlalchemy import select

from services.calendar.app import create_app
from services.calendar.models import audit_log, groups
from shared.auth import issue_staff_token
from tests.support import running

pytestmark = pytest.mark.integration

WEEKDAY_EVENINGS = "mon-fri 16:00-22:00"


def staff(app, settings, district: str = "nord") -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://calendar.test")
    client.cookies.set("staff_token", issue_staff_token(settings.keyring(), "ane", district, ["staff"]))
    return client


def outcome(reply: httpx.Response) -> dict[str, str]:
    assert reply.status_code == 303, reply.text
    return {k: v[0] for k, v in parse_qs(urlsplit(reply.headers["location"]).query).items()}


async def failed_group(settings, service, **changes):
    formed = formed_group(6).model_copy(update=changes)
    await publish_as(settings, "grouping", formed)
    assert await wait_until_decided(service, formed.group_id) == "failed"
    return formed.group_id


async def audit_actions(service) -> list[tuple[str, str]]:
    async with service.sessions() as session:
        rows = (
            await session.execute(select(audit_log.c.actor, audit_log.c.action).order_by(audit_log.c.id))
        ).all()
    return [tuple(r) for r in rows]


async def test_a_starter_registered_on_the_page_unblocks_the_group(settings):
    settings = calendar_settings(settings)
    app = create_app(settings)
    service = app.state.service
    async with running(service), EventTap(settings) as tap:
        await add_venue(service, "Stormen", hours=WEEKDAY_EVENINGS)
        group_id = await failed_group(settings, service)
        async with staff(app, settings) as http:
            page = await http.get(f"/staff/unblock/{group_id}")
            assert page.status_code == 200
            assert "Ingen igangsetter i distriktet er tilgjengelig og ledig tirsdager på kvelden" in page.text
            assert "En igangsetter som er ledig tirsdager på kvelden" in page.text
            page = await http.get(f"/staff/unblock/{group_id}", params={"lang": "en"})
            assert "No starter in the district is available and free on Tuesdays in the evening" in page.text
            assert "scheduling failed" not in page.text.lower()

            refused = await http.post(
                f"/staff/unblock/{group_id}/starter",
                data={"first_name": "Kari", "email": "kari@example.org", "availability": "tue 17:00-21:00"},
            )
            assert outcome(refused)["error"].startswith("Give a reason")
            reply = await http.post(
                f"/staff/unblock/{group_id}/starter",
                data={
                    "first_name": "Kari",
                    "email": "kari@example.org",
                    "availability": "tue 17:00-21:00",
                    "reason": "new starter trained in May",
                },
            )
            assert "1 groups in the district are tried again" in outcome(reply)["done"]
        assert await wait_until_decided(service, group_id) == "scheduled"
        scheduled = await tap.wait_for("meeting.scheduled.v1", group_id=group_id)
        assert (
            scheduled[0]["data"]["starter_name"] == "Kari" and scheduled[0]["data"]["slot"] == "tue_evening"
        )
        # Another district's staff cannot see the group.
        async with staff(app, settings, district="oslo") as http:
            assert (await http.get(f"/staff/unblock/{group_id}")).status_code == 404
    assert await audit_actions(service) == [("ane", "register_starter")]


async def test_another_shared_slot_can_be_chosen(settings):
    settings = calendar_settings(settings)
    app = create_app(settings)
    service = app.state.service
    async with running(service), EventTap(settings) as tap:
        await add_venue(service, "Stormen", hours=WEEKDAY_EVENINGS)
        await add_starter(service, "Ola", hours="wed 16:00-22:00")
        group_id = await failed_group(settings, service, shared_slots=["tue_evening", "wed_evening"])
        async with staff(app, settings) as http:
            page = await http.get(f"/staff/unblock/{group_id}", params={"lang": "en"})
            assert (
                "Or another time all members share:" in page.text
                and "on Wednesdays in the evening" in page.text
            )
            refused = await http.post(
                f"/staff/unblock/{group_id}/slot", data={"slot": "thu_evening", "reason": "not shared"}
            )
            assert outcome(refused)["error"] == "Choose another time all members share."
            reply = await http.post(
                f"/staff/unblock/{group_id}/slot",
                data={"slot": "wed_evening", "reason": "Ola can do Wednesdays"},
            )
            assert "done" in outcome(reply)
        assert await wait_until_decided(service, group_id) == "scheduled"
        scheduled = await tap.wait_for("meeting.scheduled.v1", group_id=group_id)
        assert scheduled[0]["data"]["weekday"] == "wed" and scheduled[0]["data"]["slot"] == "wed_evening"
    async with service.sessions() as session:
        assert (
            await session.scalar(select(groups.c.slot).where(groups.c.group_id == group_id)) == "wed_evening"
        )
    assert await audit_actions(service) == [("ane", "choose_slot")]


async def test_the_fixes_are_on_calendars_audit_page(settings):
    app = create_app(settings)
    service = app.state.service
    async with running(service):
        async with service.transaction() as uow:
            await uow.session.execute(
                audit_log.insert().values(
                    actor="ane", action="register_starter", district="nord", detail="why"
                )
            )
        async with staff(app, settings) as http:
            page = await http.get("/staff/audit", params={"lang": "en"})
    assert page.status_code == 200 and "Log: venues, starters and times" in page.text
    assert "register_starter" in page.text and "Log: venues and times" in page.text


async def test_scheduling_without_a_starter_only_where_the_district_allows_it(settings):
    settings = calendar_settings(settings)
    app = create_app(settings)
    service = app.state.service
    async with running(service), EventTap(settings) as tap:
        await add_venue(service, "Stormen", hours=WEEKDAY_EVENINGS)
        group_id = await failed_group(settings, service)
        async with staff(app, settings) as http:
            http.cookies.set("lang", "nb")
            refused = await http.post(f"/staff/unblock/{group_id}/without-starter", data={"reason": "haste"})
            assert outcome(refused)["error"] == "Distriktet krever igangsetter; endre innstillingen først."
            assert await wait_until_decided(service, group_id) == "failed"

            allowed = await http.post(
                f"/staff/unblock/{group_id}/district-setting",
                data={"allowed": "yes", "reason": "board decision"},
            )
            assert "done" in outcome(allowed)
            # Allowing it sends the district's failed groups back to the scheduler; they fail again
            # (the scheduler itself still wants a starter), and then staff schedule this one without.
            assert await wait_until_decided(service, group_id) == "failed"
            page = await http.get(f"/staff/unblock/{group_id}")
            assert "Distriktet tillater å planlegge grupper uten igangsetter" in page.text
            reply = await http.post(f"/staff/unblock/{group_id}/without-starter", data={"reason": "haste"})
            assert outcome(reply)["done"] == "Gruppen er planlagt uten igangsetter."
        assert await wait_until_decided(service, group_id) == "scheduled"
        scheduled = await tap.wait_for("meeting.scheduled.v1", group_id=group_id)
        assert scheduled[0]["data"]["starter_name"] is None
    assert await audit_actions(service) == [
        ("ane", "allow_without_starter"),
        ("ane", "schedule_without_starter"),
    ]
