"""The registration of interest: what people, staff and outside systems submit.

This is the body of `registration.submitted.v1` on the public `selvhjelp.intake` exchange and of
`POST /api/v1/registrations`. Validation that needs no reference data lives here; the municipality
table and the age rule are checked by the registration service's domain.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator, model_validator

from .envelope import Event
from .vocabulary import SLOTS, Composition, Gender, Language, MeetingFormat, Source, Topic, checked_slots

_MOBILE = re.compile(r"^(\+47|0047)?[49]\d{7}$")


class Participant(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=1, max_length=200, description="Name the person wants to be called by.")
    email: EmailStr | None = Field(
        default=None, description="E-mail address; email and/or mobile is required."
    )
    mobile: str | None = Field(
        default=None, description="Norwegian mobile number, 8 digits starting with 4 or 9, optional +47."
    )

    @field_validator("mobile")
    @classmethod
    def _norwegian_mobile(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        compact = re.sub(r"[\s-]", "", value)
        if not _MOBILE.match(compact):
            raise ValueError(
                "must be a Norwegian mobile number: 8 digits starting with 4 or 9, optionally +47"
            )
        return "+47" + compact[-8:]

    @model_validator(mode="after")
    def _some_contact(self) -> Participant:
        if not self.email and not self.mobile:
            raise ValueError("give an e-mail address or a Norwegian mobile number (or both)")
        return self


class Consent(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1, max_length=40, description="Version of the consent text agreed to.")
    given_at: datetime = Field(description="When consent was given (ISO 8601 with offset).")
    sensitive_data: bool = Field(
        description="Explicit consent to processing what the person wants to work on (GDPR art. 9). Must be true."
    )

    @field_validator("sensitive_data")
    @classmethod
    def _must_consent(cls, value: bool) -> bool:
        if value is not True:
            raise ValueError("explicit consent to processing sensitive data is required to register")
        return value


class RegistrationDetails(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    participant: Participant
    birth_date: date = Field(description="Date of birth; the person must be 18 or older.")
    gender: Gender
    municipality: str = Field(
        pattern=r"^\d{4}$", description="4-digit municipality number (SSB classification 131, 2026)."
    )
    topic: Topic = Field(description="What the person wants to work on (sensitive).")
    topic_text: str | None = Field(
        default=None, max_length=1000, description="Optional free text (sensitive)."
    )
    composition: Composition = Composition.any
    format: MeetingFormat = MeetingFormat.any
    availability: list[str] = Field(
        min_length=1,
        max_length=len(SLOTS),
        description="Weekly slots the person can attend, e.g. `tue_evening`, `sat_daytime`.",
    )
    single_gender: bool = Field(default=False, description="Wants a group of one gender only.")
    language: Language = Language.nb
    source: Source = Source.self
    external_ref: str | None = Field(
        default=None,
        max_length=200,
        description="The sender's own reference; required when source is external.",
    )
    consent: Consent

    @field_validator("availability", mode="before")
    @classmethod
    def _at_most_every_slot(cls, value: object) -> object:
        # Before the generic "List should have at most 14 items": say why there can be no more.
        if isinstance(value, list) and len(value) > len(SLOTS):
            raise ValueError(
                f"at most {len(SLOTS)} weekly slots (a week has no more); {len(value)} were given"
            )
        return value

    @field_validator("availability")
    @classmethod
    def _known_slots(cls, value: list[str]) -> list[str]:
        return checked_slots(value)

    @model_validator(mode="after")
    def _external_needs_ref(self) -> RegistrationDetails:
        if self.source == Source.external and not self.external_ref:
            raise ValueError("external_ref is required when source is external")
        return self


class RegistrationSubmitted(Event, RegistrationDetails):
    """Published by outside systems (and the bulk import) to `selvhjelp.intake`."""

    EVENT_TYPE = "registration.submitted.v1"
