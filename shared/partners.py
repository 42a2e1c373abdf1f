"""Partner systems: a municipality's (or another body's) system that submits registrations of interest to us
over AMQP or HTTP (docs/partners.md).

Each partner has a name, which is at once its RabbitMQ user (the broker checks the `user_id` of what it
publishes against it), its reply queue `partner.<name>.replies` and the namespace of its references; and,
for the HTTP endpoint, the OAuth2 client id of the access tokens it gets from our identity provider.
The list is a setting (`PARTNERS`, JSON); the broker definitions are generated from it.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.contracts import Source

# Names our own services and users have: a partner of the same name would share their permissions or
# their references' namespace (`registrations.sender` holds a partner's name, or else the source).
RESERVED_NAMES = frozenset(
    {"registration", "grouping", "calendar", "notifications", "intake-publisher", "guest"}
    | {source.value for source in Source}
)


class Partner(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    # No dots: the name is one word of the reply's routing key (`partner.<name>.<event type>`).
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$", description="Broker user and reply queue name.")
    oauth_client_id: str | None = Field(
        default=None,
        description="Client id of its client-credentials tokens (HTTP endpoint); none: AMQP only.",
    )

    @field_validator("name")
    @classmethod
    def _not_reserved(cls, name: str) -> str:
        if name in RESERVED_NAMES:
            raise ValueError(f"{name!r} is the name of one of our own users or sources")
        return name


# The demo partner of `make run` and the committed broker definitions: the local OpenID provider has a
# client of the same name (tools/oidc-provider). A deployment lists its own partners instead.
DEMO_PARTNERS = (Partner(name="partner-demo", oauth_client_id="partner-demo"),)
