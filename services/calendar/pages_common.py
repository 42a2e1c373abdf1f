"""What the calendar's pages share: the templates, times in Oslo, and for the staff pages the console
words in the reader's language and the confirmation or refusal a redirect carries."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request

from shared.reference import get_municipality
from shared.texts import texts_for
from shared.vocabulary import WEEKDAY_NAMES
from shared.web import choose_language, create_environment

from .rules import WEEKDAY_CODES
from .staff_texts import AT, KIND_NAMES, STAFF_TEXTS, STATUS_NAMES

environment = create_environment(Path(__file__).parent / "templates")
OSLO = ZoneInfo("Europe/Oslo")


def oslo_time(moment: datetime, language: str = "nb") -> str:
    return moment.astimezone(OSLO).strftime(f"%d.%m.%Y {AT[language]} %H:%M")


def hours_text(stored: dict[str, list[list[str]]]) -> str:
    return "; ".join(
        f"{day} " + ", ".join(f"{a}-{b}" for a, b in stored[day])
        for day in sorted(stored, key=WEEKDAY_CODES.index)
    )


def staff_texts(request: Request) -> tuple[str, dict[str, str]]:
    """The reader's language (`?lang=`, cookie, bokmål) and this service's console words in it."""
    language = choose_language(request)
    return language, texts_for(STAFF_TEXTS, language)


def staff_globals(language: str) -> dict[str, Any]:
    return {
        "t": texts_for(STAFF_TEXTS, language),
        "weekday_names": WEEKDAY_NAMES[language],
        "kind_names": texts_for(KIND_NAMES, language),
        "status_names": texts_for(STATUS_NAMES, language),
        "oslo": lambda moment: oslo_time(moment, language),
        "municipality": lambda n: get_municipality(n).name if get_municipality(n) else n,
    }


def flash_messages(request: Request) -> dict[str, Any]:
    q = request.query_params
    return {"flash": q.get("done") or "", "errors": [q.get("error")] if q.get("error") else []}
