"""Broker URLs naming every node of the cluster: each connection attempt goes to the next node. What a node
loss does to the services with these URLs is the cluster tier's (tests/cluster/)."""

import pytest
from aio_pika import RobustConnection

from shared.local_cluster import PostgresPair
from shared.messaging.connection import MultiHostConnection, amqp_urls, connection_class, first_host_url

pytestmark = pytest.mark.unit

CLUSTER = "amqps://svc:p%40ss@rabbit-0:5671,rabbit-1:5671, rabbit-2:5671/selvhjelp?reconnect_interval=1"


def test_a_url_with_several_hosts_is_one_url_per_host_with_the_same_credentials_vhost_and_options():
    assert amqp_urls(CLUSTER) == [
        f"amqps://svc:p%40ss@rabbit-{k}:5671/selvhjelp?reconnect_interval=1" for k in range(3)
    ]
    assert first_host_url(CLUSTER) == "amqps://svc:p%40ss@rabbit-0:5671/selvhjelp?reconnect_interval=1"


def test_a_url_with_one_host_is_left_as_it_is():
    url = "amqp://guest:guest@127.0.0.1:5682/t_1"
    assert amqp_urls(url) == [url]
    assert connection_class(url) is RobustConnection


async def test_every_connection_attempt_goes_to_the_next_host_in_turn():
    cls = connection_class(CLUSTER)
    assert issubclass(cls, MultiHostConnection)
    connection = cls(first_host_url(CLUSTER))
    seen = []
    for _ in range(4):
        connection.transport = None  # what aio-pika does at the start of every attempt
        seen.append(connection.url.host)
    start = seen[0]
    assert sorted(seen[:3]) == ["rabbit-0", "rabbit-1", "rabbit-2"]
    assert seen[3] == start
    assert connection.url.query["reconnect_interval"] == "1"
    assert connection.url.password == "p@ss"


def test_the_database_url_of_the_pair_names_both_servers_and_asks_for_the_writable_one(tmp_path):
    pair = PostgresPair.on_ports(tmp_path, [6001, 6002])
    assert pair.url("selvhjelp") == (
        "postgresql+asyncpg://postgres@/selvhjelp?host=127.0.0.1:6001&host=127.0.0.1:6002"
        "&target_session_attrs=read-write"
    )
