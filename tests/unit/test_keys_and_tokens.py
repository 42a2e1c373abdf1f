"""Keys (ADR 0010): production refuses default keys, keys rotate by id, each purpose has its own key, and
staff tokens must carry every claim that bounds their use."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime

import jwt
import pytest
from pydantic import SecretStr

from shared.auth import (
    InvalidLink,
    InvalidStaffToken,
    issue_staff_token,
    read_link,
    sign_link,
    verify_link,
    verify_staff_token,
)
from shared.keys import DEVELOPMENT_SIGNING_KEY, Keyring
from shared.settings import InsecureSettings, Settings

pytestmark = pytest.mark.unit

STRONG = "Vq3xT8pLr2Zs9Kd4Nw7Yb1Hc6Jf0Gm5Ue8Ia2Ox4Rt"
OLD = "Pz7Lm2Qw9Er4Ty6Ui1Op3As5Df8Gh0Jk2Lz7Xc4Vb"


@pytest.mark.parametrize(
    "key",
    [
        DEVELOPMENT_SIGNING_KEY,
        "CHANGE-ME-to-64-random-characters",
        "compose-signing-key-change-me",
        "short-key",
    ],
)
def test_production_refuses_default_placeholder_and_short_keys(key):
    with pytest.raises(InsecureSettings, match="refusing to start in production: signing key 'k1'"):
        Settings(signing_key=key).refuse_if_insecure()


def test_production_is_the_default_and_accepts_a_strong_key():
    assert Settings().environment == "production"
    Settings(signing_key=STRONG, identity_hmac_key=STRONG[::-1]).refuse_if_insecure()
    with pytest.raises(InsecureSettings, match="identity HMAC key"):
        Settings(signing_key=STRONG).refuse_if_insecure()  # the development identity key
    Settings(environment="development").refuse_if_insecure()  # the default key, for local runs only


def test_production_refuses_a_weak_retired_key_and_the_development_sign_in():
    with pytest.raises(InsecureSettings, match="'old'"):
        Settings(signing_key=STRONG, signing_keys_retired={"old": "change-me"}).refuse_if_insecure()
    with pytest.raises(InsecureSettings, match="DEV_SIGN_IN"):
        Settings(signing_key=STRONG, dev_sign_in=True).refuse_if_insecure()


def test_the_environment_is_read_from_selvhjelp_env(monkeypatch):
    monkeypatch.setenv("SELVHJELP_ENV", "development")
    assert Settings().is_development
    monkeypatch.setenv("SELVHJELP_ENV", "staging")
    with pytest.raises(ValueError):
        Settings()


def test_a_service_with_the_placeholder_key_does_not_start_in_production():
    env = {k: v for k, v in os.environ.items() if k not in ("SELVHJELP_ENV", "DEV_SIGN_IN")}
    env["SIGNING_KEY"] = "CHANGE-ME-to-64-random-characters"
    result = subprocess.run(
        [sys.executable, "-m", "shared.cli", "registration", "run", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "refusing to start in production" in result.stderr and "CHANGE-ME" in result.stderr
    assert "CHANGE-ME-to-64" not in result.stderr  # the key itself is never printed


def test_the_key_is_secret_in_settings_reprs():
    assert STRONG not in repr(Settings(signing_key=STRONG))


# --- rotation -----------------------------------------------------------------------------------------
def rotated() -> Keyring:
    """The ring after a rotation: a new current key, the old one kept to verify what it signed."""
    return Settings(
        signing_key=STRONG, signing_key_id="2027-01", signing_keys_retired={"2026-07": SecretStr(OLD)}
    ).keyring()


def test_links_and_tokens_signed_with_a_retired_key_still_verify_after_rotation():
    before = Keyring.single(OLD, kid="2026-07")
    person = uuid.uuid4()
    link = sign_link(before, "participant-feed", person)
    token = issue_staff_token(before, "ane", "nord", ["staff"])
    after = rotated()
    assert read_link(after, "participant-feed", link).kid == "2026-07"
    assert verify_link(after, "participant-feed", link) == person
    assert verify_staff_token(after, token).district == "nord"
    # New ones are signed with the new key.
    assert sign_link(after, "participant-feed", person).startswith("2027-01.")
    assert jwt.get_unverified_header(issue_staff_token(after, "ane", "nord", ["staff"]))["kid"] == "2027-01"


def test_a_link_or_token_naming_an_unknown_key_id_is_refused():
    stranger = Keyring.single(STRONG, kid="gone")
    with pytest.raises(InvalidLink, match="unknown key"):
        verify_link(rotated(), "status", sign_link(stranger, "status", uuid.uuid4()))
    with pytest.raises(InvalidStaffToken, match="unknown key"):
        verify_staff_token(rotated(), issue_staff_token(stranger, "ane", "nord", ["staff"]))


def test_a_removed_key_no_longer_verifies_what_it_signed():
    link = sign_link(Keyring.single(OLD, kid="2026-07"), "status", uuid.uuid4())
    with pytest.raises(InvalidLink):
        verify_link(Keyring.single(STRONG, kid="2027-01"), "status", link)


# --- one key per purpose ------------------------------------------------------------------------------
def test_each_purpose_signs_with_its_own_derived_key():
    ring = Keyring.single(STRONG)
    keys = {ring.derive("k1", p) for p in ("staff-token", "link/status", "link/participant-feed")}
    assert len(keys) == 3 and STRONG.encode() not in keys


def test_a_staff_token_is_not_a_participant_link_and_a_link_is_not_a_token():
    ring = Keyring.single(STRONG)
    token = issue_staff_token(ring, "ane", "nord", ["staff"])
    for purpose in ("registration-status", "participant-feed", "staff-token"):
        with pytest.raises(InvalidLink):
            verify_link(ring, purpose, token)
    with pytest.raises(InvalidStaffToken):
        verify_staff_token(ring, sign_link(ring, "staff-token", uuid.uuid4()))


def test_a_link_sent_before_key_ids_verifies_until_it_expires_and_counts_as_issued_at_the_epoch():
    import base64
    import hashlib
    import hmac

    person, expires = uuid.uuid4(), int(time.time()) + 3600
    signature = hmac.new(OLD.encode(), f"status.{person}.{expires}".encode(), hashlib.sha256).digest()
    legacy = f"{person}.{expires}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
    link = read_link(rotated(), "status", legacy)
    assert link.subject == person and link.issued_at == datetime.fromtimestamp(0, UTC)
    with pytest.raises(InvalidLink):
        read_link(rotated(), "absence", legacy)


# --- staff token claims -------------------------------------------------------------------------------
def forge(ring: Keyring, **overrides) -> str:
    now = int(time.time())
    claims = {
        "sub": "ane",
        "district": "nord",
        "roles": ["staff"],
        "iat": now,
        "exp": now + 600,
        "aud": "selvhjelp",
        "iss": "selvhjelp-local",
        "jti": uuid.uuid4().hex,
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, ring.derive("k1", "staff-token"), algorithm="HS256", headers={"kid": "k1"})


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"exp": None}, "exp"),
        ({"iat": None}, "iat"),
        ({"jti": None}, "jti"),
        ({"iss": "someone-else"}, "issuer"),
        ({"iss": None}, "iss"),
        ({"aud": "another-app"}, "(?i)audience"),
        ({"exp": int(time.time()) - 60}, "expired"),
    ],
)
def test_a_staff_token_missing_a_claim_or_with_a_wrong_one_is_refused(overrides, reason):
    ring = Keyring.single(STRONG)
    assert verify_staff_token(ring, forge(ring)).subject == "ane"
    with pytest.raises(InvalidStaffToken, match=reason):
        verify_staff_token(ring, forge(ring, **overrides))


def test_a_staff_token_without_a_key_id_or_with_alg_none_is_refused():
    ring = Keyring.single(STRONG)
    no_kid = jwt.encode({"sub": "x"}, ring.derive("k1", "staff-token"), algorithm="HS256")
    with pytest.raises(InvalidStaffToken, match="key id"):
        verify_staff_token(ring, no_kid)
    unsigned = jwt.encode({"sub": "x"}, None, algorithm="none", headers={"kid": "k1"})
    with pytest.raises(InvalidStaffToken):
        verify_staff_token(ring, unsigned)
