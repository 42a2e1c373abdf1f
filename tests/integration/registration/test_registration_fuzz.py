"""Property-based: arbitrary JSON at the HTTP and the AMQP intake. Nothing answers 5xx or crashes, nothing is
half-stored (no registration without its events, no event without its registration), every rejection says
why."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime

import aio_pika
import pytest
from hypothesis import HealthCheck, event, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from services.registration.models import inbox, registrations
from shared.contracts import SLOTS
from shared.messaging import INTAKE_EXCHANGE, Publisher, declare_topology
from shared.messaging.topology import TOPOLOGY
from shared.reference import all_municipalities
from tests.support import eventually
from tests.support.factories import registration_body

pytestmark = pytest.mark.integration

# --- what is thrown at the intake ---------------------------------------------------------------------
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and infinities too: Python's JSON writes them, a careless reader chokes on them
    | st.text(max_size=40)  # NUL and any other code point
    | st.text(st.characters(exclude_categories=()), max_size=5)  # lone surrogates too ("\ud800" in JSON)
)
any_json = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=15), inner, max_size=5),
    max_leaves=15,
)
FIELDS = list(registration_body())
MUNICIPALITIES = sorted(m.number for m in all_municipalities())


@st.composite
def mutated_registration(draw) -> dict:
    """A valid body with a few fields replaced by anything, dropped, or added: reaches the deeper rules."""
    body = registration_body()
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        action = draw(st.sampled_from(["replace", "drop", "add", "participant"]))
        field = draw(st.sampled_from(FIELDS))
        if action == "replace":
            body[field] = draw(any_json)
        elif action == "drop":
            body.pop(field, None)
        elif action == "add":
            body[draw(st.text(max_size=10))] = draw(any_json)
        else:
            body["participant"] = {
                "name": draw(st.text(max_size=30)),
                **draw(
                    st.dictionaries(
                        st.sampled_from(["email", "mobile", "other"]), st.text(max_size=25), max_size=2
                    )
                ),
            }
    return body


@st.composite
def plausible_registration(draw) -> dict:
    """The right shape with drawn values: free text with any character, any date, any four digits."""
    return registration_body(
        participant={"name": draw(st.text(min_size=1, max_size=60)), "mobile": "+4791234567"},
        birth_date=draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 1, 1))).isoformat(),
        municipality=draw(
            st.one_of(
                *[st.sampled_from(MUNICIPALITIES)] * 3, st.text(alphabet="0123456789", min_size=4, max_size=4)
            )
        ),
        topic_text=draw(st.none() | st.text(max_size=1200)),
        availability=draw(
            st.one_of(
                *[st.lists(st.sampled_from(SLOTS), min_size=1, max_size=3)] * 3,
                st.lists(st.text(max_size=12)),
            )
        ),
        external_ref=draw(st.none() | st.text(min_size=1, max_size=30)),
        source=draw(st.sampled_from(["self", "self", "external", "contact_point"])),
    )


@st.composite
def valid_registration(draw) -> dict:
    """Drawn among acceptable values only: the path that stores must be exercised as much as the refusals."""
    return registration_body(
        participant={
            "name": draw(
                st.text(st.characters(categories=["L", "Zs"]), min_size=1, max_size=40).filter(str.strip)
            ),
            "email": draw(st.sampled_from(["kari@example.org", "ola.nordmann@example.no"])),
        },
        birth_date=draw(st.dates(min_value=date(1920, 1, 1), max_value=date(2000, 1, 1))).isoformat(),
        municipality=draw(st.sampled_from(MUNICIPALITIES)),
        topic=draw(st.sampled_from(["grief", "anxiety", "cancer", "other"])),
        availability=draw(st.lists(st.sampled_from(SLOTS), min_size=1, max_size=4)),
        single_gender=draw(st.booleans()),
    )


# Weighted towards the right shape, so a good share is accepted and the storing path is exercised too.
bodies = st.one_of(any_json, mutated_registration(), *[plausible_registration()] * 3, valid_registration())


def encode(value) -> bytes:
    """JSON as Python writes it (NaN and Infinity included); lone surrogates escaped as \\udXXX."""
    return json.dumps(value).encode()


# --- what must always hold ----------------------------------------------------------------------------
async def half_stored(service) -> list[str]:
    """Registrations lacking either of their two events, and events whose registration is missing."""
    async with service.sessions() as session:
        lacking = (
            (
                await session.execute(
                    text(
                        # Exactly one accepted event; one contact event or more (a duplicate submission
                        # restages the stored contact so the person registered is told).
                        "SELECT r.participant_id FROM registration.registrations r WHERE"
                        " (SELECT count(*) FROM registration.outbox o"
                        "   WHERE o.event_type = 'registration.accepted.v1'"
                        "   AND o.payload->'data'->>'participant_id' = r.participant_id::text) <> 1"
                        " OR NOT EXISTS (SELECT 1 FROM registration.outbox o"
                        "   WHERE o.event_type = 'participant.contact_registered.v1'"
                        "   AND o.payload->'data'->>'participant_id' = r.participant_id::text)"
                    )
                )
            )
            .scalars()
            .all()
        )
        orphans = (
            (
                await session.execute(
                    text(
                        "SELECT o.event_id FROM registration.outbox o WHERE o.event_type IN"
                        " ('registration.accepted.v1', 'participant.contact_registered.v1') AND NOT EXISTS"
                        " (SELECT 1 FROM registration.registrations r"
                        "  WHERE r.participant_id::text = o.payload->'data'->>'participant_id')"
                    )
                )
            )
            .scalars()
            .all()
        )
    return [f"registration without events: {p}" for p in lacking] + [
        f"event without registration: {e}" for e in orphans
    ]


# One service (the fixtures) serves every example of a test; that is the point, not a fixture mistake.
FUZZ = hypothesis_settings(
    deadline=None,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


# --- HTTP --------------------------------------------------------------------------------------------
@hypothesis_settings(FUZZ, max_examples=100)
@given(body=bodies, idempotency_key=st.none() | st.text(alphabet="abc", min_size=1, max_size=2))
@example(body={"birth_date": float("nan")}, idempotency_key=None)  # once a 500: NaN echoed in the 422
@example(body={"\ud800": "\udfff", "participant": {"name": "\ud800"}}, idempotency_key=None)
@example(
    body=registration_body(participant={"name": "Kari\x00", "email": "k@example.org"}), idempotency_key=None
)
async def test_the_http_intake_answers_every_json_with_a_reason_and_never_half_stores(
    client, probe, body, idempotency_key
):
    headers = {"Content-Type": "application/json"}
    if idempotency_key:
        headers["Idempotency-Key"] = idempotency_key  # few keys: reuse with other bodies happens often
    response = await client.post("/api/v1/registrations", content=encode(body), headers=headers)

    assert response.status_code in (202, 409, 422), response.text
    event(f"HTTP {response.status_code}")  # --hypothesis-show-statistics: every outcome is reached
    if response.status_code == 422:
        problems = response.json()["detail"]
        assert problems and all(p["msg"] and p["loc"] for p in problems)
    elif response.status_code == 409:
        assert response.json()["detail"]
    elif not (isinstance(body, dict) and body.get("external_ref")):
        # (With an external_ref already used, the answer's id is deliberately one that leads nowhere.)
        registration_id = response.json()["registration_id"]
        stored = await probe.scalar(
            select(func.count())
            .select_from(registrations)
            .where(registrations.c.participant_id == registration_id)
        )
        assert stored == 1
    assert await half_stored(probe.service) == []


# --- AMQP --------------------------------------------------------------------------------------------
@st.composite
def intake_messages(draw) -> bytes:
    kind = draw(st.sampled_from(["bytes", "json", "broken envelope", "envelope", "envelope", "envelope"]))
    if kind == "bytes":
        return draw(st.binary(max_size=60))
    if kind == "json":
        return encode(draw(any_json))
    data = draw(bodies)
    if isinstance(data, dict) and data.get("source") == "external" and draw(st.booleans()):
        data["external_ref"] = f"fuzz-{uuid.uuid4().hex[:10]}"  # mostly new senders' references
    envelope = {
        "event_id": str(uuid.uuid4()),
        "event_type": "registration.submitted.v1",
        "schema_version": 1,
        "occurred_at": datetime.now(UTC).isoformat(),
        "correlation_id": str(uuid.uuid4()),
        "source": "fuzz",
        "data": data,
    }
    if kind == "broken envelope":
        for field in draw(st.lists(st.sampled_from(list(envelope)), min_size=1, max_size=2)):
            envelope[field] = draw(any_json)
    return encode(envelope)


class Intake:
    """Publishes to the public intake and watches where each message ends: the inbox, or the DLQ."""

    def __init__(self, settings, service) -> None:
        self.settings = settings
        self.service = service
        self.publisher = Publisher(settings.rabbitmq_url)
        self.published = 0
        self.dead: list[aio_pika.abc.AbstractIncomingMessage] = []

    async def start(self) -> None:
        await self.publisher.connect()
        await declare_topology(self.publisher.channel, TOPOLOGY.queues, self.settings.delivery_limit)
        self.connection = await aio_pika.connect_robust(self.settings.rabbitmq_url)
        channel = await self.connection.channel()
        dlq = await channel.get_queue("registration.intake.dlq")
        await dlq.consume(self._on_dead, no_ack=True)

    async def _on_dead(self, message) -> None:
        self.dead.append(message)

    async def stop(self) -> None:
        await self.publisher.close()
        await self.connection.close()

    async def send(self, body: bytes) -> None:
        await self.publisher.publish(INTAKE_EXCHANGE, "registration.submitted.v1", body)
        self.published += 1

    async def settled(self) -> bool:
        """Every message published so far is either in the inbox (processed or duplicate) or dead-lettered."""
        async with self.service.sessions() as session:
            handled = await session.scalar(
                select(func.count() + func.coalesce(func.sum(inbox.c.duplicates), 0)).where(
                    inbox.c.consumer == "registration:registration.intake"
                )
            )
        settled = handled + len(self.dead)
        # More than was sent: a message was handled twice (e.g. copied to the DLQ, then requeued). Say so at
        # once instead of waiting for a count that can never come back down.
        assert settled <= self.published, f"{settled} settlements for {self.published} messages sent"
        return settled == self.published


@pytest.fixture
async def intake(settings, registration_app):
    watcher = Intake(settings, registration_app.state.service)
    await watcher.start()
    yield watcher
    await watcher.stop()


@hypothesis_settings(FUZZ, max_examples=50)
@given(message=intake_messages())
async def test_the_amqp_intake_settles_every_message_with_a_reason_and_never_half_stores(
    intake, probe, message
):
    dead_before = len(intake.dead)
    await intake.send(message)
    await eventually(intake.settled, timeout=90, interval=0.05)

    event("dead-lettered" if len(intake.dead) > dead_before else "processed")
    for dead in intake.dead[dead_before:]:
        assert dead.headers.get("x-rejection-reason"), "dead-lettered without a reason (a crash?)"
    rejections = await probe.events("registration.rejected.v1")
    assert len(rejections) == len(intake.dead)  # the sender was answered for each
    assert all(r["data"]["errors"] and all(e["message"] for e in r["data"]["errors"]) for r in rejections)
    assert await half_stored(probe.service) == []
