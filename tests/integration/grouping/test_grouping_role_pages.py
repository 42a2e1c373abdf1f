"""The national coordinator's figures and the operator's health, queue and dead-letter pages, against real
PostgreSQL and RabbitMQ: counts per district with small ones as "<5" and no personal data; a dead letter
shown without its body and replayed to its queue; the district office's overview without dead letters;
every route of the table in tests/support/role_routes.py for every role and without a session; the
development sign-in as each role lands on that role's home."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import aio_pika
import httpx
import pytest
from sqlalchemy import insert, select

from services.grouping.app import create_app
from services.grouping.models import audit_log, groups, pool
from shared.auth import issue_staff_token, verify_staff_token
from shared.web_auth import NATIONAL_ROLE, OPERATOR_ROLE, STAFF_ROLE, STARTER_ROLE
from tests.support import running
from tests.support.role_routes import ALL_ROLES, filled, routes_of

pytestmark = pytest.mark.integration

QUEUE = "registration.intake"  # grouping does not consume it: a replayed message stays there to be counted
SECRET_NAME = "Hemmelig Personnavn"


@pytest.fixture
async def grouping(settings):
    settings = settings.model_copy(update={"dev_sign_in": True})
    app = create_app(settings)
    async with running(app.state.service):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://grouping.test") as http:
            yield http, app.state.service, settings


def as_role(http: httpx.AsyncClient, settings, role: str | None, district: str = "") -> None:
    http.cookies.clear()
    if role:
        http.cookies.set("staff_token", issue_staff_token(settings.keyring(), f"{role}-x", district, [role]))


async def add_waiting(service, district: str, municipality: str, count: int) -> None:
    async with service.sessions() as session, session.begin():
        for _ in range(count):
            await session.execute(
                insert(pool).values(
                    participant_id=uuid.uuid4(),
                    district=district,
                    municipality=municipality,
                    birth_date=date(1980, 1, 1),
                    gender="female",
                    topic="grief",
                    composition="any",
                    format="in_person",
                    availability=["tue_evening"],
                    single_gender=False,
                    registered_at=datetime(2026, 1, 5, tzinfo=UTC),
                )
            )


async def add_groups(service, district: str, status: str, count: int) -> None:
    async with service.sessions() as session, session.begin():
        for _ in range(count):
            await session.execute(
                insert(groups).values(
                    group_id=uuid.uuid4(),
                    district=district,
                    slot="tue_evening",
                    format="in_person",
                    status=status,
                    topics=["grief"],
                    municipalities=["1804"],
                )
            )


def cell(page: str, district: str, column: str) -> str:
    row = page.split(f'data-district="{district}"', 1)[1].split("</tr>", 1)[0]
    return row.split(f'data-column="{column}">', 1)[1].split("<", 1)[0]


async def test_the_national_coordinator_sees_counts_per_district_with_small_ones_hidden(grouping):
    http, service, settings = grouping
    await add_waiting(service, "nord", "1804", 7)
    await add_waiting(service, "oslo-ost", "0301", 3)
    await add_groups(service, "nord", "started", 5)
    await add_groups(service, "nord", "proposed", 1)
    await add_groups(service, "oslo-ost", "ended", 6)
    as_role(http, settings, NATIONAL_ROLE)
    page = (await http.get("/national")).text
    assert cell(page, "nord", "waiting") == "7" and cell(page, "oslo-ost", "waiting") == "&lt;5"
    assert cell(page, "nord", "running") == "5" and cell(page, "nord", "forming") == "&lt;5"
    assert cell(page, "oslo-ost", "ended") == "6" and cell(page, "oslo-ost", "running") == "0"
    assert "grief" not in page and "Sorg" not in page  # no topics, no places below the district
    en = await http.get("/national", params={"lang": "en"})
    assert '<html lang="en">' in en.text and "<h1>National figures</h1>" in en.text
    nn = await http.get("/national", params={"lang": "nn"})
    assert '<html lang="nn">' in nn.text and "<h1>Tal for landet</h1>" in nn.text


async def dead_letter(settings, queue: str) -> str:
    message_id = uuid.uuid4().hex
    connection = await aio_pika.connect(settings.rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        body = f'{{"participant": {{"name": "{SECRET_NAME}"}}}}'.encode()
        await channel.default_exchange.publish(
            aio_pika.Message(
                body,
                message_id=message_id,
                type="registration.submitted.v1",
                headers={"x-rejection-reason": "invalid: no consent"},
            ),
            routing_key=f"{queue}.dlq",
        )
    return message_id


async def depth(settings, queue: str) -> int:
    connection = await aio_pika.connect(settings.rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        declared = await channel.declare_queue(queue, passive=True)
        return declared.declaration_result.message_count or 0


async def test_the_operator_sees_health_and_queues_and_replays_a_dead_letter_without_its_body(grouping):
    http, service, settings = grouping
    message_id = await dead_letter(settings, QUEUE)
    as_role(http, settings, OPERATOR_ROLE)
    home = await http.get("/operator")
    assert home.status_code == 200
    assert 'data-service="grouping"' in home.text and 'data-service="calendar"' in home.text
    assert f'data-queue="{QUEUE}.dlq"' in home.text and f"/operator/dead-letters/{QUEUE}.dlq" in home.text

    page = await http.get(f"/operator/dead-letters/{QUEUE}.dlq")
    assert page.status_code == 200 and message_id in page.text and "invalid: no consent" in page.text
    assert SECRET_NAME not in page.text  # bodies may hold personal data: never shown
    assert await depth(settings, f"{QUEUE}.dlq") == 1  # looking takes nothing away

    reply = await http.post(f"/operator/dead-letters/{QUEUE}.dlq/replay")
    assert reply.status_code == 303
    assert (
        "1 meldinger sendt tilbake til registration.intake"
        in (await http.get(reply.headers["location"])).text
    )
    assert await depth(settings, f"{QUEUE}.dlq") == 0 and await depth(settings, QUEUE) == 1
    async with service.sessions() as session:  # the replay is in the audit log, by whom
        entry = (
            await session.execute(select(audit_log).where(audit_log.c.action == "dead_letters_replayed"))
        ).one()
    assert entry.actor == "operator-x" and entry.detail == f"1 from {QUEUE}.dlq"
    assert (entry.role, entry.scope) == ("operator", "national")
    # Only the topology's dead-letter queues: no reading of any other queue through this tool.
    assert (await http.get(f"/operator/dead-letters/{QUEUE}")).status_code == 404

    # The district office's overview no longer shows dead letters.
    as_role(http, settings, STAFF_ROLE, "nord")
    assert ".dlq" not in (await http.get("/staff")).text


async def test_every_grouping_role_route_for_every_role_and_without_a_session(grouping):
    http, _service, settings = grouping
    values = {"queue": f"{QUEUE}.dlq"}
    for route in routes_of("grouping"):
        for role in (*ALL_ROLES, None):
            district = "nord" if role in (STAFF_ROLE, STARTER_ROLE) else ""
            as_role(http, settings, role, district)
            reply = await http.request(route.method, filled(route.path, values))
            assert reply.status_code == route.denied_status(role), (route.path, role, reply.text[:200])
            if role is None:
                assert "/staff/sign-in" in reply.headers["location"]


@pytest.mark.parametrize(
    ("role", "district", "home"),
    [
        (STAFF_ROLE, "nord", "/staff"),
        (STARTER_ROLE, "nord", "/starter"),
        (NATIONAL_ROLE, "", "/national"),
        (OPERATOR_ROLE, "", "/operator"),
    ],
)
async def test_the_development_sign_in_signs_in_as_each_role_and_lands_on_its_home(
    grouping, role, district, home
):
    http, _service, settings = grouping
    http.cookies.clear()
    form = {"role": role, "district": district, "name": "ola@example.org"}
    reply = await http.post("/staff/sign-in", data=form)
    assert reply.status_code == 303
    # The hop hands the session to each service in turn and ends on the role's home.
    location = httpx.URL(reply.headers["location"])
    assert location.params["then"].endswith(home), location
    session = reply.cookies.get("staff_token")
    user = verify_staff_token(settings.keyring(), session, issuer=settings.staff_token_issuer)
    assert user.roles == {role} and user.district == district
    assert user.email == ("ola@example.org" if role == STARTER_ROLE else "")
    if role in (NATIONAL_ROLE, OPERATOR_ROLE):
        http.cookies.set("staff_token", session)
        assert (await http.get(home)).status_code == 200
