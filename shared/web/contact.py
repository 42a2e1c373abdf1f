"""What the contact point's pages share across services: their navigation (home and counts on grouping,
registering people and their status on registration, venues on calendar) and `contact_page`, the console
layout with that navigation. A contact point (role `contact_point`) sees only its own municipalities.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import Response

from shared.texts import texts_for
from shared.web import DEFAULT_LANGUAGE, choose_language, page
from shared.web.dependencies import current_service
from shared.web.staff import STAFF_TEXTS, NavItem, language_was_chosen

CONTACT_HOME = "/contact"

# The navigation's and layout's own words; each service keeps its pages' words in its staff_texts.
CONTACT_LAYOUT_TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "site_name": "Selvhjelp – kontaktpunkt",
        "nav_home": "Oversikt",
        "nav_register": "Meld på en person",
        "nav_registrations": "Påmeldingene dine",
        "nav_venues": "Møtesteder",
    },
    "nn": {
        "site_name": "Sjølvhjelp – kontaktpunkt",
        "nav_home": "Oversikt",
        "nav_register": "Meld på ein person",
        "nav_registrations": "Påmeldingane dine",
        "nav_venues": "Møtestader",
    },
    "en": {
        "site_name": "Self-help – contact point",
        "nav_home": "Overview",
        "nav_register": "Register a person",
        "nav_registrations": "Your registrations",
        "nav_venues": "Venues",
    },
}


def contact_nav(settings, language: str = DEFAULT_LANGUAGE, carry_language: bool = False) -> list[NavItem]:
    """The contact point's navigation across the services (each link carries the language when chosen:
    the language cookie belongs to one host)."""
    t = texts_for(CONTACT_LAYOUT_TEXTS, language)
    suffix = f"?lang={language}" if carry_language else ""
    return [
        NavItem(key, t[f"nav_{key}"], url + suffix)
        for key, url in (
            ("home", f"{settings.grouping_url}{CONTACT_HOME}"),
            ("register", f"{settings.registration_url}/contact/register"),
            ("registrations", f"{settings.registration_url}/contact/registrations"),
            ("venues", f"{settings.calendar_url}/contact/venues"),
        )
    ]


def contact_context(request: Request, user, current: str, language: str) -> dict[str, Any]:
    """What the console layout (`staff/layout.html`) needs for a contact point's page."""
    settings = current_service(request).settings
    words = texts_for(CONTACT_LAYOUT_TEXTS, language)
    return {
        "site_name": words["site_name"],
        "console": {**texts_for(STAFF_TEXTS, language), "site_name": words["site_name"]},
        "nav": contact_nav(settings, language, carry_language=language_was_chosen(request)),
        "current": current,
        "user": user,
        "sign_out_url": f"{settings.grouping_url}/staff/sign-out",
    }


def contact_page(
    environment,
    template: str,
    request: Request,
    user,
    current: str,
    *,
    language: str | None = None,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """A contact point's page in the console layout, in the reader's language."""
    language = language or choose_language(request)
    return page(
        environment,
        template,
        request,
        language,
        status_code=status_code,
        **{**contact_context(request, user, current, language), **context},
    )
