"""Settings by environment (pydantic-settings). Every number of the frame is a default here or in a
service's rules, never a literal in the code."""

from __future__ import annotations

from functools import lru_cache

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
    log_level: str = "INFO"
    log_json: bool = True

    http_host: str = "127.0.0.1"
    public_base_url: str = "http://127.0.0.1"

    # Delivery
    prefetch_count: int = 32
    delivery_limit: int = Field(default=5, description="Redeliveries before the broker dead-letters.")
    transient_retry_base_seconds: float = 0.2
    transient_retry_cap_seconds: float = 5.0
    graceful_timeout_seconds: float = 20.0

    # Outbox relay
    outbox_poll_seconds: float = 0.5
    outbox_batch_size: int = 200
    outbox_retry_cap_seconds: float = 60.0

    # Signing of participant links and local staff tokens (replace in production via Secret).
    signing_key: str = "local-development-signing-key-change-me"


@lru_cache
def get_settings() -> Settings:
    return Settings()
