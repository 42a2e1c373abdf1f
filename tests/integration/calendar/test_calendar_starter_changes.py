"""A starter hears its meetings anew when the group's schedule changes them (issue 22, item 6): a cancelled
first meeting gives the starter the next one instead, and starter.assigned.v1 says so (`changed`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from calendar_harness import (
    EventTap,
    add_starter,
    add_venue,
    calendar_settings,
    formed_group,
    http_client,
    new_service,
    publish_as,
    staff_headers,
)

from tests.support import running

pytestmark = pytest.mark.integration
OSLO = ZoneInfo("Europe/Oslo")


async def test_a_cancelled_first_meeting_tells_the_starter_its_meetings_now(settings):
    settings = calendar_settings(settings)
    service = new_service(settings)
    await add_venue(service, "Bibliotek")
    starter = await add_starter(service)
    group = formed_group(members=5)
    async with EventTap(settings) as tap, running(service), http_client(service) as client:
        await publish_as(settings, "grouping", group)
        (assigned,) = await tap.wait_for("starter.assigned.v1", group_id=group.group_id)
        before = [datetime.fromisoformat(m) for m in assigned["data"]["meetings"]]
        second = sorted(before)[1].astimezone(OSLO).date()
        url = f"/api/v1/staff/groups/{group.group_id}/meetings/{second.isoformat()}/cancel"
        response = await client.post(url, headers=staff_headers(settings, "nord"))
        assert response.status_code == 200, response.text
        told = await tap.wait_for("starter.assigned.v1", count=2, group_id=group.group_id)
    again = told[1]["data"]
    assert again["changed"] is True and again["starter_id"] == str(starter)
    after = sorted(datetime.fromisoformat(m) for m in again["meetings"])
    assert len(after) == 3 and sorted(before)[1] not in after and after[0] == sorted(before)[0]
