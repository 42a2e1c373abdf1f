"""Connections to a RabbitMQ cluster given as one URL with several hosts.

`RABBITMQ_URL=amqp://user:pass@node1:5672,node2:5672,node3:5672/vhost?reconnect_interval=1` names every
node of the cluster. aio-pika (and so FastStream) takes one host only and its robust connection reconnects
to that same host, so while that node is down a service would stay disconnected, its queues' leaders
already moved to the surviving nodes. Here each connection attempt, the first and every reconnect, goes to
the next host in turn, starting at a random one so a service's replicas spread over the nodes (as the
Kubernetes Service in front of the Cluster Operator's nodes does). A URL with one host behaves as before.

Why rotate instead of trying all hosts at once: a robust connection retries by itself every
`reconnect_interval` seconds (aio-pika's URL parameter, 5 s unless the URL says otherwise), so a dead node
costs one failed attempt (refused at once on a closed port) before the next host is tried.
"""

from __future__ import annotations

import asyncio
import random
import urllib.parse
from typing import Any

import aio_pika
from aio_pika import RobustConnection
from aio_pika.abc import AbstractRobustConnection
from faststream.rabbit import RabbitBroker


def amqp_urls(url: str) -> list[str]:
    """One URL per host of `url` (`amqp://u:p@h1:p1,h2:p2/vhost?q` → `amqp://u:p@h1:p1/vhost?q`, ...)."""
    parts = urllib.parse.urlsplit(url)
    credentials, at, hosts = parts.netloc.rpartition("@")
    prefix = credentials + at
    return [
        urllib.parse.urlunsplit(
            (parts.scheme, prefix + host.strip(), parts.path, parts.query, parts.fragment)
        )
        for host in hosts.split(",")
        if host.strip()
    ]


def first_host_url(url: str) -> str:
    """The URL with its first host only: what a library that parses the URL itself may be given."""
    return amqp_urls(url)[0]


class MultiHostConnection(RobustConnection):
    """A robust connection that moves to the next host of its list on every connection attempt."""

    hosts: tuple[str, ...] = ()

    def __init__(self, url: Any, loop: asyncio.AbstractEventLoop | None = None, **kwargs: Any) -> None:
        self._next_host = random.randrange(len(self.hosts)) if self.hosts else 0
        super().__init__(url, loop=loop, **kwargs)

    # aio-pika sets `transport` to None at the start of each connection attempt (RobustConnection's
    # __connect_transport) and when the connection closes: the one hook it offers to change the host.
    @property
    def transport(self):  # type: ignore[override]
        return self.__dict__.get("_transport")

    @transport.setter
    def transport(self, value) -> None:
        if value is None and self.hosts and "url" in self.__dict__:
            self.url = aio_pika.connection.URL(self.hosts[self._next_host % len(self.hosts)])
            self._next_host += 1
        self.__dict__["_transport"] = value


def connection_class(url: str) -> type[RobustConnection]:
    """RobustConnection for one host, MultiHostConnection (over these hosts) for several."""
    hosts = amqp_urls(url)
    if len(hosts) < 2:
        return RobustConnection
    return type("MultiHostConnection", (MultiHostConnection,), {"hosts": tuple(hosts)})


async def connect_robust(url: str, **kwargs: Any) -> AbstractRobustConnection:
    """aio_pika.connect_robust for a URL with one host or several."""
    return await aio_pika.connect_robust(
        first_host_url(url), connection_class=connection_class(url), **kwargs
    )


class ClusterRabbitBroker(RabbitBroker):
    """FastStream's broker over a URL with one host or several (see the module's docstring)."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        super().__init__(first_host_url(url), **kwargs)
        self._connection_class = connection_class(url)

    async def _connect(self):  # FastStream's one connection factory (faststream 0.7)
        self._connection_kwargs = {**self._connection_kwargs, "connection_class": self._connection_class}
        return await super()._connect()
