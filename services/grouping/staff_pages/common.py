"""What every page of grouping's staff console shares: the templates, the service's settings, and names in the
reader's language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request

from shared.reference import get_municipality
from shared.texts import texts_for
from shared.vocabulary import FORMAT_NAMES, GROUP_STATUS_NAMES, TOPIC_NAMES, slot_name
from shared.web import create_environment
from shared.web.dependencies import current_service

from ..reasons import render_flag, render_reason
from ..staff_texts import MEMBER_STATUS_NAMES, REQUEST_STATUS_NAMES, STAFF_TEXTS

environment = create_environment(Path(__file__).parent.parent / "templates")


def municipality_name(number: str) -> str:
    place = get_municipality(number)
    return place.name if place else number


def page_globals(request: Request, language: str) -> dict[str, Any]:
    """What every console page of grouping's needs, in the reader's language."""
    settings = current_service(request).settings
    return {
        "t": texts_for(STAFF_TEXTS, language),
        "topic_names": TOPIC_NAMES[language],
        "format_names": FORMAT_NAMES[language],
        "status_names": GROUP_STATUS_NAMES[language],
        "member_status_names": texts_for(MEMBER_STATUS_NAMES, language),
        "request_status_names": texts_for(REQUEST_STATUS_NAMES, language),
        "municipality": municipality_name,
        "slot_words": lambda slot: slot_name(slot, language),
        # Waiting reasons and flags are stored as codes with parameters: shown in the reader's language.
        "reason_words": lambda stored: render_reason(stored, language),
        "flag_words": lambda group: render_flag(group.flag_code, group.flag, language),
        "registration_url": settings.registration_url,
        "calendar_url": settings.calendar_url,
        "notifications_url": settings.notifications_url,
    }
