"""Settings by environment (pydantic-settings). Every number of the frame is a default here or in a
service's rules, never a literal in the code."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any, Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.keys import DEVELOPMENT_SIGNING_KEY, KEY_ID_PATTERN, Keyring, weak_key_reason
from shared.partners import DEMO_PARTNERS, Partner

DEVELOPMENT_IDENTITY_HMAC_KEY = "local-development-identity-hmac-key-change-me"


class InsecureSettings(RuntimeError):
    """Settings that must never run in production (a default key, the development sign-in)."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", env_file=None, extra="ignore", populate_by_name=True)

    # Production unless told otherwise: a forgotten variable must fail safe (refuse the default key, no
    # API docs, Secure cookies, HSTS). `make run`, the tests and compose set SELVHJELP_ENV=development.
    environment: Literal["development", "production"] = Field(
        default="production", validation_alias=AliasChoices("SELVHJELP_ENV", "ENVIRONMENT", "environment")
    )

    database_url: str = Field(
        default="postgresql+asyncpg://postgres@127.0.0.1:5442/selvhjelp", description="SQLAlchemy async URL."
    )
    rabbitmq_url: str = Field(
        default="amqp://guest:guest@127.0.0.1:5682/", description="AMQP URL incl. vhost."
    )
    log_level: str = "INFO"
    log_json: bool = True

    http_host: str = "127.0.0.1"
    # Peers whose X-Forwarded-For uvicorn believes (the client address of rate limits and logs).
    forwarded_allow_ips: str = "127.0.0.1,::1"
    # Request bodies above these sizes are refused with 413 (shared/body_limit.py): JSON and form posts,
    # and the staff pages' CSV uploads.
    http_max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    http_max_upload_bytes: int = Field(default=2_000_000, ge=1024)
    # Where people reach each service's pages; links in messages are built from these.
    registration_url: str = "http://127.0.0.1:8101"
    grouping_url: str = "http://127.0.0.1:8102"
    calendar_url: str = "http://127.0.0.1:8103"
    notifications_url: str = "http://127.0.0.1:8104"
    # Where each district office is told what needs its hand (a starter who cannot come), JSON:
    # {"nord": "post.nord@selvhjelp.no"}. A district without one sees it on its replacements page only.
    district_office_emails: dict[str, str] = Field(default_factory=dict)

    # Delivery
    prefetch_count: int = 64
    # Group commit: messages that arrive while a consumer's transaction runs share the next one (up to
    # this many; 1 = one transaction per message). See shared/messaging/batching.py.
    consumer_batch_size: int = Field(default=32, ge=1)
    # One batch at a time keeps a queue's events applied in the order they arrive (a contact before the
    # membership that needs it); more than one trades that for overlap. Measured: about the same speed.
    consumer_batches_in_flight: int = Field(default=1, ge=1)
    delivery_limit: int = Field(default=5, description="Redeliveries before the broker dead-letters.")
    transient_retry_base_seconds: float = 0.2
    transient_retry_cap_seconds: float = 5.0
    graceful_timeout_seconds: float = 20.0
    # Off where the broker is pre-declared from deploy/rabbitmq/definitions.json and each service's user
    # may configure only its own queues (production); on for local runs and tests.
    declare_topology: bool = True

    # Outbox relay
    outbox_poll_seconds: float = 0.5
    outbox_batch_size: int = 200
    outbox_retry_cap_seconds: float = 60.0

    # Grouping
    planning_debounce_seconds: float = Field(
        default=2.0, description="Wait for the pool to settle before planning."
    )
    replan_interval_seconds: float = Field(default=3600.0, description="Re-plan every district this often.")
    planner_poll_seconds: float = 1.0
    invitation_days: int = Field(
        default=7, description="Days to answer an invitation before the place is freed."
    )
    admission_vote_days: int = Field(
        default=7,
        ge=1,
        description="Days the members have to vote on newcomers; decided then by those who voted.",
    )
    # The planner proposes this many candidates more than the group asked for, so the group can choose.
    newcomer_extra_candidates: int = Field(default=2, ge=0, le=10)
    nudge_after_days: int = Field(
        default=28,
        ge=0,
        description="A waiting person gets one message about what would get them a group sooner (more "
        "times, digital groups, groups across topics, a neighbouring municipality) after waiting this long; "
        "the status page shows the options from the first day.",
    )
    nudge_interval_seconds: float = Field(
        default=86400.0, gt=0, description="How often grouping works out every waiting person's options."
    )
    # A group's own decisions (issue 22): days the members have to vote, how often the deadline job looks
    # (it also opens the decision of a group that fell below the minimum, so that is asked within this
    # long; a pass is two small queries), and the longest pause over a holiday the members may decide on.
    decision_days: int = Field(default=7, description="Days a group's members have to vote on a decision.")
    decision_poll_seconds: float = 10.0
    decision_max_pause_days: int = 70
    # The grouping policy (issue 23; services/grouping/planning/policy.py, defaults chosen by
    # `selvhjelp grouping simulate` and bench/grouping.py): "lasting" plans for groups that still have four
    # members after the first weeks, "asap" forms every group the moment it is possible.
    grouping_policy: Literal["lasting", "asap"] = "lasting"
    grouping_dropout: float = Field(
        default=0.2, ge=0.0, lt=1.0, description="Expected share of a new group's members who leave early."
    )
    grouping_wait_limit_days: int = Field(
        default=120,
        ge=0,
        description="Nobody who could be in a group waits longer than this for a larger one.",
    )
    grouping_max_hold_days: int = Field(
        default=56, ge=0, description="A group is held back at most this long after it became possible."
    )
    grouping_form_size: int = Field(default=6, ge=4, description="Groups this large are formed at once.")
    grouping_hold_if_likely: float = Field(
        default=0.35,
        gt=0.0,
        le=1.0,
        description="Hold while another fitting arrival is at least this likely.",
    )
    grouping_lookback_days: int = Field(
        default=90, ge=1, description="Past arrivals that estimate how often people who fit a group come."
    )
    grouping_lone_gender_wait_days: int = Field(
        default=180, ge=0, description="A group with a lone man or woman waits for a better mix this long."
    )
    grouping_top_up: bool = Field(
        default=True, description="Invite fitting newcomers into a proposed group up to the target size."
    )

    # Registrations that never led to a group are erased after this many days (GDPR: keep no longer
    # than needed); the job checks this often and only one replica runs it at a time.
    registration_retention_days: int = Field(default=365, ge=1)
    registration_retention_interval_seconds: float = 3600.0
    placed_retention_days: int = Field(
        default=365,
        ge=1,
        description="Registrations that led to a group are erased this long after the group ended or "
        "dissolved, or the person left it (then in every service, by participant.erased.v1).",
    )
    # Every service's retention job (shared/retention.py; periods and reasons in docs/operations.md).
    retention_interval_seconds: float = Field(default=3600.0, gt=0)
    outbox_retention_days: int = Field(
        default=7, ge=1, description="Sent events (payloads with names, contacts) are deleted after this."
    )
    inbox_retention_days: int = Field(
        default=30,
        ge=1,
        description="Handled-event records are kept this long: longer than any redelivery, including a "
        "replay from a dead-letter queue (dlq_message_ttl_days), so a late duplicate is still recognised.",
    )
    # Staff audit entries (who read or changed whose data, by pseudonymous id) are deleted after this by
    # `selvhjelp audit prune`, run as the database owner. Five years: long enough to answer a complaint
    # or a supervisory authority's inquiry about a past access (complaints and inquiries come years
    # later), short enough that the ids are not kept forever. At least a year, so a typo cannot wipe it.
    audit_retention_days: int = Field(default=1826, ge=365)
    dlq_message_ttl_days: int = Field(
        default=14, ge=1, description="Dead-lettered messages expire after this (broker policy)."
    )
    notification_retention_days: int = Field(
        default=90,
        ge=1,
        description="Finished deliveries (with their rendered context) and past absences are deleted after this.",
    )
    closed_group_retention_days: int = Field(
        default=90,
        ge=1,
        description="Who was in a group that ended or dissolved (grouping's memberships, invitations, votes "
        "and attendance; the calendar's member lists and absences) is deleted this long after it closed.",
    )

    # Notifications: SMTP and the SMS gateway (defaults point at the local sinks of `make run`).
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_tls: bool = Field(default=False, description="Implicit TLS (SMTPS, usually port 465).")
    smtp_starttls: bool = Field(
        default=False,
        description="Require STARTTLS (usually port 587). Off, STARTTLS is still used whenever the server "
        "offers it; required outside development when a password is set.",
    )
    smtp_ca_file: str | None = Field(
        default=None, description="CA bundle to verify the SMTP server with (default: the system's)."
    )
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "Selvhjelp Norge <ikke-svar@selvhjelp.example.no>"
    smtp_timeout_seconds: float = 20.0
    sms_gateway_url: str = "http://127.0.0.1:8125/sms"
    sms_gateway_token: str | None = Field(default=None, description="Bearer token for the SMS gateway.")
    sms_timeout_seconds: float = 10.0
    sms_inbound_secret: str | None = Field(
        default=None,
        description="Key of the HMAC-SHA256 signature the gateway puts on SMS replies "
        "(X-Gateway-Signature over X-Gateway-Timestamp and the body); required outside development.",
    )
    sms_inbound_max_age_seconds: float = Field(
        default=300.0, gt=0, description="A signed SMS reply older or newer than this is refused (replays)."
    )
    notification_poll_seconds: float = 1.0
    notification_batch_size: int = 50
    notification_commit_every: int = Field(
        default=10,
        ge=1,
        description="Deliveries sent per transaction: at most this many go out twice after a crash.",
    )
    notification_retry_base_seconds: float = 2.0
    notification_retry_cap_seconds: float = 900.0
    notification_max_attempts: int = Field(
        default=12,
        description="Transient failures of a message (4xx for its recipient) before giving up; outages "
        "(server down, our login or sender refused) do not count.",
    )

    # Calendar: the meeting frame's numbers that operators tune (the rest are in services/calendar/rules.py).
    calendar_notice_days: int = Field(
        default=7, ge=0, description="Days from scheduling to the first meeting."
    )
    calendar_reminder_hours: list[float] = Field(
        default=[24.0, 2.0], description="Reminders this many hours before each meeting."
    )
    calendar_at_risk_threshold: int = Field(
        default=3, ge=1, description="Fewer expected attendees than this flags the meeting as at risk."
    )
    calendar_meeting_url_template: str = "https://meet.example.no/selvhjelp-{group_id}"
    calendar_breaks: dict[str, list[tuple[date, date, str]]] = Field(
        default_factory=dict,
        description='School and summer breaks per district, e.g. {"nord": [["2027-07-01", "2027-07-31", "summer"]]}.',
    )
    calendar_plan_horizon_days: int = Field(
        default=182, ge=28, description="Venue bookings and reminders are kept this far ahead (rolling)."
    )
    calendar_poll_seconds: float = 2.0
    calendar_schedulers: int = Field(
        default=3,
        ge=1,
        description="Groups scheduled at once. Scheduling mostly waits for the database, so a group formed "
        "just after another need not wait for it; two racing for one venue retry with fresh data.",
    )

    # Abuse of the public intake (every registration sends an e-mail or SMS): limits per client address
    # and per contact address in `limits` notation ("10/minute;100/day"); empty turns one off. Counted in
    # memory per replica unless a shared storage is named (e.g. async+redis://host:6379).
    registration_rate_limit_per_client: str = "10/minute;100/day"
    registration_rate_limit_per_contact: str = "3/hour;10/day"
    registration_rate_limit_storage_url: str = "async+memory://"

    # Keys the HMAC that derives participant ids from other systems' references and bulk-import references
    # from a person's details, so neither can be computed by someone who knows the reference or the
    # details. The default is for development only: set IDENTITY_HMAC_KEY (a Secret) everywhere else.
    # Keep it stable: with a new key, re-importing rows without their own reference registers them again
    # (resends of a reference still find the first registration by source and reference).
    identity_hmac_key: SecretStr = SecretStr(DEVELOPMENT_IDENTITY_HMAC_KEY)

    # The keyring that signs participant links and staff tokens (shared/keys.py, ADR 0010). New links and
    # tokens are signed with `signing_key` under the id `signing_key_id`; keys moved to
    # `signing_keys_retired` ({"id": "key"}, JSON in the environment) still verify what they signed.
    signing_key: SecretStr = SecretStr(DEVELOPMENT_SIGNING_KEY)
    signing_key_id: str = Field(default="k1", pattern=KEY_ID_PATTERN)
    signing_keys_retired: dict[str, SecretStr] = Field(default_factory=dict)
    staff_token_issuer: str = Field(
        default="selvhjelp-local", description="The `iss` every staff token must carry."
    )
    # Prometheus metrics on their own port (never routed by the ingress); unset = no metrics server.
    # In development the app also answers /metrics, for `make run` and the benchmarks.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)

    # Staff console. Production staff come signed in from the organisation's OIDC provider (a JWT in the
    # staff_token cookie); the development sign-in page, where you just pick a district, is for
    # `make run` and tests only and is off unless this is set.
    dev_sign_in: bool = Field(
        default=False, description="Serve /staff/sign-in (pick a district, no password)."
    )
    # Sign-in through the organisation's OpenID Connect provider (shared/oidc.py, ADR 0013): on when an
    # issuer is set. Every service is a redirect URI of the same client: <service url>/staff/oidc/callback.
    oidc_issuer: str | None = Field(default=None, description="Issuer URL (discovery is read from it).")
    oidc_client_id: str = ""
    oidc_client_secret: SecretStr = SecretStr("")
    oidc_provider_name: str = Field(default="organisasjonens innlogging", description="Shown on the button.")
    oidc_scopes: str = "openid profile email selvhjelp"
    oidc_api_audience: str = Field(
        default="urn:selvhjelp:staff-api",
        description="The `aud` of the provider's access tokens that the staff JSON APIs accept as bearer.",
    )
    oidc_claim_mapping: dict[str, Any] = Field(
        default_factory=dict,
        description='Which claims carry our roles, e.g. {"roles": "roles", "role_values": {"<app role>": '
        '"staff"}, "district": "extension_district"} (fields of shared.oidc.ClaimMapping).',
    )
    oidc_session_seconds: int = Field(
        default=3600, ge=60, le=12 * 3600, description="How long a sign-in lasts here before a new one."
    )
    # Partner systems that submit registrations over AMQP and HTTP (shared/partners.py, docs/partners.md),
    # JSON: [{"name": "kommune-bodo", "oauth_client_id": "<client id at the provider>"}]. Each gets a broker
    # user and a reply queue in the generated definitions: regenerate them when this list changes.
    partners: list[Partner] = Field(default_factory=lambda: list(DEMO_PARTNERS))
    partner_api_audience: str = Field(
        default="urn:selvhjelp:partner-api",
        description="The `aud` of the client-credentials access tokens the partner endpoint accepts.",
    )
    partner_api_scope: str = Field(
        default="registrations:submit", description="The scope a partner's access token must carry."
    )
    rabbitmq_management_url: str | None = Field(
        default=None,
        description="RabbitMQ management API (http://user:pass@host:15672) for queue depths on the operator page.",
    )
    # The operator's pages (grouping, /operator) read every service's queue depth and replay dead letters,
    # which a service's own least-privilege broker user may not do: production gives them a broker user of
    # their own (read on every queue, write to the default exchange). Unset: the service's own URL.
    operator_rabbitmq_url: str | None = Field(
        default=None, description="Broker URL of the operator's queue and dead-letter pages."
    )

    @property
    def is_development(self) -> bool:
        return self.environment == "development"

    def keyring(self) -> Keyring:
        keys = {kid: secret.get_secret_value() for kid, secret in self.signing_keys_retired.items()}
        keys[self.signing_key_id] = self.signing_key.get_secret_value()
        return Keyring(current=self.signing_key_id, keys=keys)

    def production_problems(self) -> list[str]:
        """What makes these settings unsafe outside development (empty: safe)."""
        if self.is_development:
            return []
        problems = []
        for kid, key in self.keyring().keys.items():
            if reason := weak_key_reason(key):
                problems.append(f"signing key {kid!r} {reason}")
        if reason := weak_key_reason(self.identity_hmac_key.get_secret_value()):
            problems.append(f"identity HMAC key {reason}")
        if self.dev_sign_in:
            problems.append("DEV_SIGN_IN lets anyone sign in as staff without a password")
        if self.oidc_issuer and not self.oidc_issuer.startswith("https://"):
            problems.append("OIDC_ISSUER must be an https:// URL")
        if self.oidc_issuer and not (self.oidc_client_id and self.oidc_client_secret.get_secret_value()):
            problems.append("OIDC_ISSUER is set without OIDC_CLIENT_ID and OIDC_CLIENT_SECRET")
        return problems

    def refuse_if_insecure(self) -> None:
        if problems := self.production_problems():
            raise InsecureSettings(
                "refusing to start in production: "
                + "; ".join(problems)
                + " (set SELVHJELP_ENV=development for a local run)"
            )


@lru_cache
def get_settings() -> Settings:
    return Settings()
