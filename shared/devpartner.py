"""`make run`'s demo partner systems (shared.partners.DEMO_PARTNERS) on the local broker: each a broker user
with exactly the permissions the generated definitions give a partner (publish to `selvhjelp.intake`, read
its own reply queue), so a newcomer can submit a registration as a municipality's system would
(docs/partners.md) with the credentials `make run` prints.

The local broker is not loaded from the definitions (the services declare what they use), so the users
are made here through the management API, as the tests' partners are (tests/support/partners.py).
"""

from __future__ import annotations

import secrets
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import httpx

from shared.messaging.definitions import permission_of
from shared.messaging.topology import partner_reply_queue, topology_with_partners
from shared.partners import DEMO_PARTNERS, Partner


@dataclass(frozen=True)
class DemoPartner:
    name: str
    password: str
    amqp_url: str

    @property
    def reply_queue(self) -> str:
        return partner_reply_queue(self.name).name


def demo_password(run_dir: Path, name: str) -> str:
    """The partner's broker password: made once per run directory (no fixed password on any broker, not
    even a local one), kept so that a second `make run` prints the same."""
    path = run_dir / f"{name}-broker-password"
    if not path.exists():
        run_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(18))
        path.chmod(0o600)
    return path.read_text().strip()


def create_demo_partners(
    management_url: str,
    rabbitmq_url: str,
    run_dir: Path,
    *,
    auth: tuple[str, str] = ("guest", "guest"),
    partners: Iterable[Partner] = DEMO_PARTNERS,
) -> list[DemoPartner]:
    """Create (or update) each partner's broker user on `rabbitmq_url`'s vhost, with a partner's
    permissions from the same place the definitions take them."""
    partners = list(partners)
    base = urllib.parse.urlsplit(rabbitmq_url)
    vhost = urllib.parse.unquote(base.path[1:]) if len(base.path) > 1 else "/"
    topology = topology_with_partners([p.name for p in partners])
    made = []
    with httpx.Client(base_url=management_url, auth=auth, timeout=30) as api:
        for partner in partners:
            password = demo_password(run_dir, partner.name)
            api.put(f"/api/users/{partner.name}", json={"password": password, "tags": ""}).raise_for_status()
            permission = permission_of(partner.name, topology)
            api.put(
                f"/api/permissions/{urllib.parse.quote(vhost, safe='')}/{partner.name}",
                json={"configure": permission.configure, "write": permission.write, "read": permission.read},
            ).raise_for_status()
            netloc = f"{partner.name}:{urllib.parse.quote(password, safe='')}@{base.hostname}:{base.port}"
            made.append(
                DemoPartner(
                    partner.name, password, urllib.parse.urlunsplit(("amqp", netloc, base.path, "", ""))
                )
            )
    return made


def demo_partner_lines(partners: Iterable[DemoPartner]) -> list[str]:
    """What `make run` prints of them, with the other sign-ins."""
    lines = []
    for partner in partners:
        lines += [
            f"    {partner.name:<14} {partner.password:<26} partner system (AMQP): publish to selvhjelp.intake "
            f"with user_id {partner.name}",
            f"    {'':<14} {partner.amqp_url}   answers on queue {partner.reply_queue}",
        ]
    return lines
