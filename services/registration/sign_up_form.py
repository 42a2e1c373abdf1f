"""The sign-up form's fields: blank values, what a posted form holds, the API body built from it, and the
problems per field. Pure: the pages in web.py render and submit.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from starlette.datastructures import FormData

from shared.contracts import Composition, MeetingFormat

from .domain import RegistrationRefused
from .texts import error_message

CONSENT_VERSION = "2026-01"  # the version of the consent text on the form; bump when its wording changes
FORM_FIELDS = (
    "name",
    "contact",
    "email",
    "mobile",
    "birth_date",
    "gender",
    "municipality",
    "topic",
    "topic_text",
    "composition",
    "format",
    "availability",
    "single_gender",
    "language",
    "consent",
)
_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")


def blank_values(language: str) -> dict[str, Any]:
    return {
        "name": "",
        "email": "",
        "mobile": "",
        "birth_date": "",
        "gender": "",
        "municipality": "",
        "topic": "",
        "topic_text": "",
        "composition": Composition.any.value,
        "format": MeetingFormat.any.value,
        "availability": [],
        "single_gender": False,
        "language": language,
        "consent": False,
        "form_id": uuid.uuid4().hex,
    }


def text_of(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def values_from(form: FormData, language: str) -> dict[str, Any]:
    values = blank_values(language)
    for name in ("name", "email", "mobile", "birth_date", "gender", "municipality", "topic", "topic_text"):
        values[name] = text_of(form, name)
    for name in ("composition", "format", "language", "form_id"):
        values[name] = text_of(form, name) or values[name]
    values["availability"] = [v for v in form.getlist("availability") if isinstance(v, str)]
    values["single_gender"] = text_of(form, "single_gender") == "yes"
    values["consent"] = text_of(form, "consent") == "yes"
    return values


def details_body(values: dict[str, Any], now: datetime, source: str = "self") -> dict[str, Any]:
    """The API's body from the form's fields; blanks become absent so the API's own rules name them.
    `source`: who filled it in (the person, a contact point or the district office on their behalf)."""
    return {
        "participant": {
            "name": values["name"],
            "email": values["email"].strip() or None,
            "mobile": values["mobile"].strip() or None,
        },
        "birth_date": iso_date(values["birth_date"]) or None,
        "gender": values["gender"] or None,
        "municipality": values["municipality"] or None,
        "topic": values["topic"] or None,
        "topic_text": values["topic_text"].strip() or None,
        "composition": values["composition"],
        "format": values["format"],
        "availability": values["availability"],
        "single_gender": values["single_gender"],
        "language": values["language"],
        "source": source,
        "consent": {
            "version": CONSENT_VERSION,
            "given_at": now.isoformat(),
            "sensitive_data": values["consent"],
        },
    }


def iso_date(text: str) -> str:
    """27.03.1985 (as Norwegians write it; also 27/3/1985 or 27-3-1985) as 1985-03-27; other text unchanged."""
    text = text.strip()
    match = _DAY_MONTH_YEAR.match(text)
    return f"{match[3]}-{int(match[2]):02d}-{int(match[1]):02d}" if match else text


def form_field(path: list[str]) -> str:
    """The form field a problem at an API path (`participant.email`, `consent.sensitive_data`) belongs to."""
    head = path[0] if path else ""
    if head == "participant":
        return path[1] if len(path) > 1 and path[1] in ("name", "email", "mobile") else "contact"
    if head == "consent":
        return "consent"
    return head if head in FORM_FIELDS else "form"


def field_errors(problems: list[tuple[str, str]], texts: dict[str, Any]) -> dict[str, str]:
    """One message per field (the first), in the order the fields appear on the form."""
    found: dict[str, str] = {}
    for field, code in problems:
        found.setdefault(field, error_message(texts, field, code))
    order = {name: i for i, name in enumerate((*FORM_FIELDS, "form"))}
    return dict(sorted(found.items(), key=lambda item: order[item[0]]))


def invalid_errors(invalid: ValidationError, texts: dict[str, Any]) -> dict[str, str]:
    """The form's messages for what the API's model refused."""
    problems = [
        (form_field([str(p) for p in e["loc"]]), "invalid")
        for e in invalid.errors(include_input=False, include_url=False)
    ]
    return field_errors(problems, texts)


def refused_errors(refused: RegistrationRefused, texts: dict[str, Any]) -> dict[str, str]:
    """The form's messages for what the registration rules (age, municipality, characters) refused."""
    return field_errors([(form_field(p.field.split(".")), p.code) for p in refused.problems], texts)


def in_form_order(errors: dict[str, str]) -> dict[str, str]:
    """Messages in the order their fields appear on the form (a page's own problems among them)."""
    order = {name: i for i, name in enumerate((*FORM_FIELDS, "form"))}
    return dict(sorted(errors.items(), key=lambda item: order.get(item[0], len(order))))
