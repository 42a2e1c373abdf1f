import time
import uuid

import asyncpg
import asyncpg.exceptions._base
import pytest
from sqlalchemy.exc import IntegrityError, OperationalError

from shared.auth import InvalidLink, issue_staff_token, sign_link, verify_link, verify_staff_token
from shared.keys import Keyring
from shared.messaging import TOPOLOGY, is_transient

pytestmark = pytest.mark.unit


def test_database_and_network_trouble_is_transient_but_a_constraint_violation_is_not():
    assert is_transient(OperationalError("select 1", {}, ConnectionRefusedError()))
    assert is_transient(asyncpg.exceptions.AdminShutdownError())
    assert is_transient(TimeoutError())
    assert not is_transient(IntegrityError("insert", {}, Exception("duplicate key")))
    assert not is_transient(RuntimeError("bug"))
    # asyncpg files "a value the database can't take" under InterfaceError; retrying it would never end.
    assert not is_transient(asyncpg.exceptions._base.DataError("invalid input for query argument $1"))
    assert not is_transient(asyncpg.exceptions.DataError("value too long for type character varying(40)"))


def test_every_queue_is_a_quorum_queue_with_a_dead_letter_queue_and_delivery_limit():
    for spec in TOPOLOGY.queues:
        arguments = spec.arguments(delivery_limit=5)
        assert arguments["x-queue-type"] == "quorum"
        assert arguments["x-dead-letter-exchange"] == "selvhjelp.dlx"
        assert arguments["x-dead-letter-routing-key"] == spec.name
        assert arguments["x-delivery-limit"] == 5
        assert arguments["x-dead-letter-strategy"] == "at-least-once"
        assert spec.name.split(".")[0] == spec.owner


def test_the_topic_travels_only_to_grouping():
    consumers = {
        q.owner for q in TOPOLOGY.queues for _, key in q.bindings if key == "registration.accepted.v1"
    }
    assert consumers == {"grouping"}
    contact = {
        q.owner
        for q in TOPOLOGY.queues
        for _, key in q.bindings
        if key == "participant.contact_registered.v1"
    }
    assert contact == {"notifications"}


K = Keyring.single("k")


def test_a_signed_link_opens_only_for_its_purpose_and_person():
    person = uuid.uuid4()
    token = sign_link(K, "status", person)
    assert verify_link(K, "status", token) == person
    with pytest.raises(InvalidLink):
        verify_link(K, "absence", token)
    forged = token.replace(str(person), str(uuid.uuid4()))
    with pytest.raises(InvalidLink):
        verify_link(K, "status", forged)
    with pytest.raises(InvalidLink):
        verify_link(Keyring.single("other-key"), "status", token)


def test_an_expired_link_is_refused():
    token = sign_link(K, "status", uuid.uuid4(), lifetime=-1)
    with pytest.raises(InvalidLink, match="expired"):
        verify_link(K, "status", token)


def test_staff_tokens_carry_district_and_expire():
    user = verify_staff_token(K, issue_staff_token(K, "ane", "nord", ["staff"]))
    assert (user.subject, user.district, user.roles) == ("ane", "nord", frozenset({"staff"}))
    expired = issue_staff_token(K, "ane", "nord", ["staff"], lifetime=-10)
    with pytest.raises(Exception, match="expired"):
        verify_staff_token(K, expired)
    assert time.time()
