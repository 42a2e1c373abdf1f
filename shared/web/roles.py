"""The home page of each role, and the frame of the pages of the roles that are not the district office
(starter, national coordinator, operator): the console's layout with a navigation of that role's own pages.

After signing in (OIDC or the development sign-in) without asking for a particular page, a person lands on
the home of their role: a starter has no business on the district office's overview.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from shared.texts import texts_for
from shared.web import choose_language, page
from shared.web.dependencies import current_service
from shared.web.staff import NavItem, language_was_chosen, service_urls
from shared.web_auth import CONTACT_POINT_ROLE, NATIONAL_ROLE, OPERATOR_ROLE, STAFF_ROLE, STARTER_ROLE

# Paths of each role's home, by the service that serves it. A person with several roles lands on the first.
ROLE_HOMES: tuple[tuple[str, str, str], ...] = (
    (STAFF_ROLE, "grouping", "/staff"),
    (CONTACT_POINT_ROLE, "grouping", "/contact"),
    (STARTER_ROLE, "calendar", "/starter"),
    (NATIONAL_ROLE, "grouping", "/national"),
    (OPERATOR_ROLE, "grouping", "/operator"),
)


def default_home(settings) -> str:
    """Where a sign-in goes when it was not asked for a page (shared.web.staff.safe_next)."""
    return f"{settings.grouping_url}/staff"


def role_home(settings, roles) -> str:
    urls = service_urls(settings)
    for role, service, path in ROLE_HOMES:
        if role in roles:
            return urls[service] + path
    return default_home(settings)


def landing(settings, requested: str, roles) -> str:
    """The page asked for, or the role's home when none was."""
    asked_for_nothing = requested.rstrip("/") == default_home(settings)
    return role_home(settings, roles) if asked_for_nothing else requested


# The words of the frame, per role (the pages' own words are in their service's catalogue).
ROLE_FRAME_TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "console": "Meny",
        "sign_out": "Logg ut",
        "error_title": "Det gikk ikke",
        "site_starter": "Selvhjelp – igangsetter",
        "site_national": "Selvhjelp – nasjonal koordinator",
        "site_operator": "Selvhjelp – drift",
        "nav_starter": "Mine grupper",
        "nav_national": "Tall for landet",
        "nav_operator": "Drift",
    },
    "nn": {
        "console": "Meny",
        "sign_out": "Logg ut",
        "error_title": "Det gjekk ikkje",
        "site_starter": "Sjølvhjelp – igangsetjar",
        "site_national": "Sjølvhjelp – nasjonal koordinator",
        "site_operator": "Sjølvhjelp – drift",
        "nav_starter": "Gruppene mine",
        "nav_national": "Tal for landet",
        "nav_operator": "Drift",
    },
    "en": {
        "console": "Menu",
        "sign_out": "Sign out",
        "error_title": "That did not work",
        "site_starter": "Self-help – starter",
        "site_national": "Self-help – national coordinator",
        "site_operator": "Self-help – operations",
        "nav_starter": "My groups",
        "nav_national": "National figures",
        "nav_operator": "Operations",
    },
}


@dataclass(frozen=True)
class _Frame:
    texts: dict[str, str]
    nav: list[NavItem]


def _frame(request: Request, role: str, language: str) -> _Frame:
    settings = current_service(request).settings
    texts = texts_for(ROLE_FRAME_TEXTS, language)
    suffix = f"?lang={language}" if language_was_chosen(request) else ""
    home = role_home(settings, {role})
    return _Frame(texts, [NavItem(role, texts[f"nav_{role}"], home + suffix)])


def role_page(
    environment,
    template: str,
    request: Request,
    user,
    role: str,
    *,
    language: str | None = None,
    **context: Any,
) -> Response:
    """A page of `role` in the console's layout (staff/layout.html) with that role's navigation."""
    settings = current_service(request).settings
    language = language or choose_language(request)
    frame = _frame(request, role, language)
    return page(
        environment,
        template,
        request,
        language,
        site_name=frame.texts[f"site_{role}"],
        console=frame.texts,
        nav=frame.nav,
        current=role,
        user=user,
        sign_out_url=f"{settings.grouping_url}/staff/sign-out",
        **context,
    )
