"""A small synthetic sample for `make run`: enough people in two towns to form groups. No real persons."""

from __future__ import annotations

import hashlib
import json
import random
import urllib.request
from datetime import date, timedelta

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


def sample_registrations(count: int = 24, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    today = date.today()
    people = []
    for index in range(count):
        municipality = list(TOWNS)[index % len(TOWNS)]
        age = rng.randint(30, 42)
        people.append(
            {
                "participant": {
                    "name": f"{rng.choice(FIRST_NAMES)} Eksempel{index}",
                    "email": f"deltaker{index}@example.org",
                },
                "birth_date": (today - timedelta(days=age * 365 + rng.randint(0, 300))).isoformat(),
                "gender": rng.choice(["female", "male"]),
                "municipality": municipality,
                "topic": TOPICS[(index // 2) % len(TOPICS)],
                "composition": "any",
                "format": "in_person",
                "availability": ["tue_evening", "wed_evening"] if index % 3 else ["tue_evening"],
                "single_gender": False,
                "language": "nb",
                "source": "self",
                "consent": {
                    "version": "2026-01",
                    "given_at": CONSENT_GIVEN_AT,
                    "sensitive_data": True,
                },
            }
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
