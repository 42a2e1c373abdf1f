"""Outside development the notification service refuses to start without the SMS gateway's secret or
with an SMTP password that could cross the network in clear; the gateway's signature is checked."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from services.notifications import gateway_auth
from services.notifications.app import settings_problems
from shared.settings import Settings

pytestmark = pytest.mark.unit

NOW = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


def test_production_needs_the_sms_secret_and_tls_for_an_smtp_password():
    assert Settings().environment == "production"  # what a deployment gets unless it says otherwise
    open_webhook = settings_problems(Settings(sms_inbound_secret=None))
    clear_password = settings_problems(Settings(sms_inbound_secret="s", smtp_password="p"))

    assert len(open_webhook) == 1 and "SMS_INBOUND_SECRET" in open_webhook[0]
    assert len(clear_password) == 1 and "SMTP_PASSWORD" in clear_password[0]
    assert settings_problems(Settings(sms_inbound_secret="s", smtp_password="p", smtp_starttls=True)) == []
    assert settings_problems(Settings(sms_inbound_secret="s", smtp_password="p", smtp_tls=True)) == []
    assert settings_problems(Settings(environment="development", smtp_password="p")) == []


def test_the_service_will_not_start_in_production_without_its_secret():
    env = {
        k: v for k, v in os.environ.items() if k not in {"SMS_INBOUND_SECRET", "ENVIRONMENT", "SELVHJELP_ENV"}
    }
    result = subprocess.run(
        [sys.executable, "-m", "shared.cli", "notifications", "run", "--port", "1"],
        # Strong keys, so the only thing missing is the gateway's secret.
        env={
            **env,
            "SELVHJELP_ENV": "production",
            "SIGNING_KEY": "k" + "0123456789abcdef" * 3,
            "IDENTITY_HMAC_KEY": "i" + "fedcba9876543210" * 3,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "SMS_INBOUND_SECRET" in result.stderr


def test_a_signature_counts_only_with_the_secret_the_body_and_a_fresh_timestamp():
    body = b'{"from": "+4791234567", "text": "KAN IKKE"}'
    stamp = int(NOW.timestamp())
    good = gateway_auth.sign("secret", stamp, body)

    def check(secret="secret", timestamp=str(stamp), signature=good, payload=body, now=NOW):
        return gateway_auth.is_authentic(secret, timestamp, signature, payload, now=now, max_age_seconds=300)

    assert check()
    assert not check(secret="other")
    assert not check(payload=body.replace(b"KAN IKKE", b"hei"))
    assert not check(timestamp=str(stamp + 1))  # the timestamp is signed
    assert not check(now=NOW.replace(minute=6))  # 6 minutes later: a replay
    assert not check(signature=None) and not check(timestamp=None) and not check(timestamp="-5")
    assert not check(signature=good.removeprefix("sha256="))
