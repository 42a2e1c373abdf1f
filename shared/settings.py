"""Settings by environment (pydantic-settings). Every number of the frame is a default here or in a
service's rules, never a literal in the code."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", env_file=None, extra="ignore")

    database_url: str = Field(
        default="postgresql+asyncpg://postgres@127.0.0.1:5442/selvhjelp", description="SQLAlchemy async URL."
    )
    rabbitmq_url: str = Field(
        default="amqp://guest:guest@127.0.0.1:5682/", description="AMQP URL incl. vhost."
    )
    # What may be missing or plain: only "development" (make run, compose, tests that ask for it) runs
    # without the secrets and TLS a deployment needs; anything else refuses to start without them.
    environment: Literal["development", "production"] = "production"
    log_level: str = "INFO"
    log_json: bool = True

    http_host: str = "127.0.0.1"
    # Where people reach each service's pages; links in messages are built from these.
    registration_url: str = "http://127.0.0.1:8101"
    grouping_url: str = "http://127.0.0.1:8102"
    calendar_url: str = "http://127.0.0.1:8103"
    notifications_url: str = "http://127.0.0.1:8104"

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
    admission_vote_days: int = 7

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

    # Signing of participant links and local staff tokens (replace in production via Secret).
    signing_key: str = "local-development-signing-key-change-me"

    # Staff console. Production staff come signed in from the organisation's OIDC provider (a JWT in the
    # staff_token cookie); the development sign-in page, where you just pick a district, is for
    # `make run` and tests only and is off unless this is set.
    dev_sign_in: bool = Field(
        default=False, description="Serve /staff/sign-in (pick a district, no password)."
    )
    rabbitmq_management_url: str | None = Field(
        default=None,
        description="RabbitMQ management API (http://user:pass@host:15672) for DLQ depths on the overview.",
    )


@lru_cache
def get_settings() -> Settings:
    return Settings()
