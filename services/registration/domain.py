"""Rules of accepting a registration of interest. Pure: no I/O, the date and reference table are inputs."""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from shared.contracts import (
    SLOTS,
    AvailabilityChanged,
    ParticipantContactRegistered,
    RegistrationAccepted,
    RegistrationDetails,
)
from shared.reference import get_municipality
from shared.vocabulary import in_week_order, unknown_slots

MINIMUM_AGE = 18


@dataclass(frozen=True)
class FieldProblem:
    field: str
    message: str
    code: str = "invalid"  # lets a page show its own wording for the problem


class RegistrationRefused(Exception):
    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def check(details: RegistrationDetails, today: date, *, minimum_age: int = MINIMUM_AGE) -> str:
    """Return the district covering the person's municipality, or raise with every problem found."""
    problems: list[FieldProblem] = list(unstorable_text(details))
    if details.birth_date > today:
        problems.append(FieldProblem("birth_date", "birth date is in the future", "future"))
    elif age_on(details.birth_date, today) < minimum_age:
        problems.append(
            FieldProblem(
                "birth_date",
                f"self-help groups are for adults: you must be {minimum_age} or older to register",
                "too_young",
            )
        )
    municipality = get_municipality(details.municipality)
    if municipality is None:
        problems.append(
            FieldProblem(
                "municipality", f"{details.municipality} is not a Norwegian municipality number (2026)"
            )
        )
    if problems:
        raise RegistrationRefused(problems)
    assert municipality is not None
    return municipality.district


# PostgreSQL text and jsonb cannot hold NUL, and UTF-8 cannot encode a lone surrogate (JSON's "\ud800").
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def _storable(text: str) -> bool:
    return _UNSTORABLE.search(text) is None


def unstorable_text(details: RegistrationDetails) -> list[FieldProblem]:
    """Text fields holding characters the database cannot store: refused instead of failing later."""
    fields = {
        "participant.name": details.participant.name,
        "participant.email": details.participant.email,
        "participant.mobile": details.participant.mobile,
        "topic_text": details.topic_text,
        "external_ref": details.external_ref,
        "consent.version": details.consent.version,
    }
    return [
        FieldProblem(field, "contains characters that are not allowed (NUL or invalid Unicode)", "characters")
        for field, value in fields.items()
        if value is not None and not _storable(value)
    ]


def checked_availability(slots: list[str]) -> list[str]:
    """Known weekly slots in week order, without repeats; at least one, at most every slot once."""
    if len(slots) > len(SLOTS):
        raise RegistrationRefused(
            [
                FieldProblem(
                    "availability", f"at most {len(SLOTS)} weekly slots (a week has no more)", "too_many"
                )
            ]
        )
    if unknown_slots(slots) or not slots:
        raise RegistrationRefused(
            [FieldProblem("availability", "choose at least one weekly slot such as tue_evening", "missing")]
        )
    return in_week_order(slots)


def availability_changed_event(participant_id: uuid.UUID, slots: list[str]) -> AvailabilityChanged:
    return AvailabilityChanged(participant_id=participant_id, availability=slots)


def accepted_event(
    participant_id: uuid.UUID, details: RegistrationDetails, district: str, registered_at: datetime
) -> RegistrationAccepted:
    return RegistrationAccepted(
        participant_id=participant_id,
        district=district,
        municipality=details.municipality,
        birth_date=details.birth_date,
        gender=details.gender,
        topic=details.topic,
        composition=details.composition,
        format=details.format,
        availability=list(details.availability),
        single_gender=details.single_gender,
        registered_at=registered_at,
    )


def contact_event(participant_id: uuid.UUID, details: RegistrationDetails) -> ParticipantContactRegistered:
    return ParticipantContactRegistered(
        participant_id=participant_id,
        name=details.participant.name,
        email=details.participant.email,
        mobile=details.participant.mobile,
        language=details.language,
    )


def identity_key(settings) -> bytes:
    """The HMAC key of derived ids and references (settings.identity_hmac_key)."""
    return settings.identity_hmac_key.get_secret_value().encode()


def keyed_digest(key: bytes, text: str) -> bytes:
    """HMAC-SHA256: stable for the same key and text, not computable without the key."""
    if not key:
        raise ValueError("an identity HMAC key is needed to derive ids and references")
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def participant_id_for(source: str, external_ref: str | None, key: bytes) -> uuid.UUID:
    """Registrations from other systems get an id derived from their reference, so a resend maps to it.

    Keyed (HMAC) rather than a plain hash, so knowing someone's reference is not knowing their id. The
    result is marked as an RFC 9562 version 8 (custom) UUID.
    """
    if not external_ref:
        return uuid.uuid4()
    digest = bytearray(keyed_digest(key, f"selvhjelp:registration:{source}:{external_ref}")[:16])
    digest[6] = (digest[6] & 0x0F) | 0x80  # version 8
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 9562 variant
    return uuid.UUID(bytes=bytes(digest))
