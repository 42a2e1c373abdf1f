"""Synthetic registrations. No real persons.

`registration_body`: one valid registration, for the tests (tests/support/factories.py) and the bench
(bench/population.py) to vary. `sample_registrations`: a small sample for `make run`, enough people in two
towns to form groups."""

from __future__ import annotations

import hashlib
import json
import random
import urllib.request
from datetime import UTC, date, datetime, timedelta
from typing import Any

FIRST_NAMES = [
    "Kari",
    "Ola",
    "Ingrid",
    "Per",
    "Sigrid",
    "Lars",
    "Nora",
    "Jonas",
    "Astrid",
    "Emil",
    "Mari",
    "Odd",
]
TOWNS = {"1804": "Bodø", "0301": "Oslo"}  # municipality numbers
TOPICS = ["grief", "anxiety", "loneliness", "relatives"]
# Fixed, so loading the sample twice is idempotent (same Idempotency-Key, same body).
CONSENT_GIVEN_AT = "2026-01-15T12:00:00+01:00"


def registration_body(**overrides: Any) -> dict[str, Any]:
    """A valid registration (one adult in Bodø, grief, Tuesday evenings) with `overrides` in its place."""
    body: dict[str, Any] = {
        "participant": {"name": "Kari Nordmann", "email": "kari@example.org"},
        "birth_date": (date.today() - timedelta(days=365 * 40)).isoformat(),
        "gender": "female",
        "municipality": "1804",
        "topic": "grief",
        "composition": "any",
        "format": "in_person",
        "availability": ["tue_evening"],
        "single_gender": False,
        "language": "nb",
        "source": "self",
        # The version of the consent text on the form (services/registration/sign_up_form.py).
        "consent": {"version": "2026-01", "given_at": datetime.now(UTC).isoformat(), "sensitive_data": True},
    }
    body.update(overrides)
    return body


def sample_registrations(count: int = 24, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    today = date.today()
    people = []
    for index in range(count):
        municipality = list(TOWNS)[index % len(TOWNS)]
        age = rng.randint(30, 42)
        people.append(
            registration_body(
                participant={
                    "name": f"{rng.choice(FIRST_NAMES)} Eksempel{index}",
                    "email": f"deltaker{index}@example.org",
                },
                birth_date=(today - timedelta(days=age * 365 + rng.randint(0, 300))).isoformat(),
                gender=rng.choice(["female", "male"]),
                municipality=municipality,
                topic=TOPICS[(index // 2) % len(TOPICS)],
                availability=["tue_evening", "wed_evening"] if index % 3 else ["tue_evening"],
                consent={"version": "2026-01", "given_at": CONSENT_GIVEN_AT, "sensitive_data": True},
            )
        )
    return people


def load_sample(registration_url: str, count: int = 24) -> int:
    loaded = 0
    for body in sample_registrations(count):
        encoded = json.dumps(body, sort_keys=True).encode()
        # Same body, same key: loading twice adds nobody; a changed sample adds new people.
        key = "sample-" + hashlib.sha256(encoded).hexdigest()[:16]
        request = urllib.request.Request(
            f"{registration_url}/api/v1/registrations",
            data=encoded,
            headers={"Content-Type": "application/json", "Idempotency-Key": key},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            loaded += response.status == 202
    return loaded
