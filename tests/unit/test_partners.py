"""Partner systems in settings (shared/partners.py): names that are safe as a broker user, a routing-key
word and a namespace of references, read from the environment as JSON."""

import pytest
from pydantic import ValidationError

from shared.messaging.topology import partner_reply_queue, reply_routing_key
from shared.partners import Partner
from shared.settings import Settings

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    "name", ["registration", "intake-publisher", "external", "self", "kommune.bodo", "K", "a#"]
)
def test_a_partner_may_not_take_a_name_of_ours_nor_one_that_breaks_a_routing_key(name):
    with pytest.raises(ValidationError):
        Partner(name=name)


def test_partners_come_from_the_environment_as_json(monkeypatch):
    monkeypatch.setenv("PARTNERS", '[{"name": "kommune-bodo", "oauth_client_id": "abc"}, {"name": "nav-x"}]')
    partners = Settings().partners
    assert [(p.name, p.oauth_client_id) for p in partners] == [("kommune-bodo", "abc"), ("nav-x", None)]


def test_a_partners_answers_have_routing_keys_only_its_queue_binds():
    queue = partner_reply_queue("kommune-bodo")
    assert queue.name == "partner.kommune-bodo.replies"
    assert {key for _, key in queue.bindings} == {
        reply_routing_key("kommune-bodo", "registration.received.v1"),
        reply_routing_key("kommune-bodo", "registration.rejected.v1"),
    }
    assert reply_routing_key("kommune-bodo", "registration.received.v1") not in {
        key for _, key in partner_reply_queue("kommune-bod").bindings
    }
