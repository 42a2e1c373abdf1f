"""Reading a group's page in the staff console (its topics and members) is audited, in the reader's
district."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import insert, select

from services.grouping.app import create_app
from services.grouping.models import audit_log, groups
from shared.auth import issue_staff_token
from tests.support import running

pytestmark = pytest.mark.integration


async def test_every_read_of_a_groups_page_is_in_the_audit_log_of_its_district(settings):
    app = create_app(settings)
    service = app.state.service
    group_id = uuid.uuid4()
    async with running(service):
        async with service.sessions() as session, session.begin():
            await session.execute(
                insert(groups).values(
                    group_id=group_id,
                    district="nord",
                    slot="tue_evening",
                    format="in_person",
                    status="started",
                    topics=["grief"],
                    municipalities=["1804"],
                )
            )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://grouping.test") as http:
            http.cookies.set("staff_token", issue_staff_token(settings.keyring(), "ane", "nord", ["staff"]))
            assert (await http.get(f"/staff/groups/{group_id}")).status_code == 200
            http.cookies.set(
                "staff_token", issue_staff_token(settings.keyring(), "ola", "oslo-ost", ["staff"])
            )
            assert (await http.get(f"/staff/groups/{group_id}")).status_code == 404
        async with service.sessions() as session:
            entries = (await session.execute(select(audit_log))).all()
    assert [(e.actor, e.action, e.district, e.subject_id) for e in entries] == [
        ("ane", "read_group", "nord", group_id)
    ]
