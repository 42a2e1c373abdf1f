"""What every service's staff pages share: the navigation across services, the development sign-in hop
that puts the staff cookie on each service's host, and `staff_page`: the console's layout and words (its
audit-log page is shared.audit.pages).

Sign-in. In production the organisation's OIDC provider signs staff in and each service receives the
token through its own proxy/OIDC client and keeps it in the `__Host-staff_token` cookie (Secure,
HttpOnly, SameSite=Strict; plain `staff_token` over http in development). For `make run` and tests
(setting `dev_sign_in`), grouping serves a sign-in page where you pick a district; the token it issues
is then handed from service to service through `/staff/session?token=…&then=…` (a redirect chain
grouping → registration → calendar → notifications → back), because a cookie belongs to one host:port. That hop exists only when `dev_sign_in` is on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from shared.revocation import revoke_staff_token
from shared.texts import texts_for
from shared.web import DEFAULT_LANGUAGE, LANGUAGE_COOKIE, LANGUAGES, choose_language, page
from shared.web.dependencies import current_service
from shared.web.oidc import END_SESSION_PATH, hint_cookie_name, oidc_enabled, oidc_router
from shared.web_auth import clear_staff_cookie, set_staff_cookie, staff_cookie_name, verified_staff

# The order of the sign-in hop; grouping (the console's home) starts and ends it.
HOP_ORDER = ("grouping", "registration", "calendar", "notifications")


@dataclass(frozen=True)
class NavItem:
    key: str
    label: str
    url: str


# The console's own words (navigation, layout, the audit page), in bokmål (default), nynorsk and English.
# Each service keeps the words of its own pages in its staff_texts module.
STAFF_TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "site_name": "Selvhjelp – distriktskontor",
        "console": "Konsoll",
        "sign_out": "Logg ut",
        "error_title": "Det gikk ikke",
        "nav_overview": "Oversikt",
        "nav_people": "Finn person",
        "nav_pool": "Venteliste",
        "nav_groups": "Grupper",
        "nav_statistics": "Statistikk",
        "nav_breaks": "Skoleferier",
        "nav_venues": "Møtesteder og igangsettere",
        "nav_replacements": "Forfall",
        "nav_deliveries": "Meldinger",
        "nav_audit_grouping": "Logg: grupper",
        "nav_audit_registration": "Logg: påmeldinger",
        "nav_audit_calendar": "Logg: møtesteder og tider",
        "audit_hint": "Hvem som har lest eller endret hva, i ditt distrikt. Nyeste først (inntil 500 rader).",
        "audit_who": "Hvem",
        "audit_role": "Rolle",
        "audit_scope": "Omfang",
        "audit_scope_national": "hele landet",
        "audit_role_staff": "distriktskontor",
        "audit_role_contact_point": "kontaktpunkt",
        "audit_role_starter": "igangsetter",
        "audit_role_national": "nasjonal koordinator",
        "audit_role_operator": "drift",
        "audit_action": "Handling",
        "audit_all": "Alle",
        "audit_since": "Fra dato",
        "audit_until": "Til dato",
        "audit_show": "Vis",
        "audit_csv": "Last ned som CSV",
        "audit_rows": "{count} rader",
        "audit_time": "Tid",
        "audit_detail": "Detaljer",
        "audit_none": "Ingen rader.",
    },
    "nn": {
        "site_name": "Sjølvhjelp – distriktskontor",
        "console": "Konsoll",
        "sign_out": "Logg ut",
        "error_title": "Det gjekk ikkje",
        "nav_overview": "Oversikt",
        "nav_people": "Finn person",
        "nav_pool": "Venteliste",
        "nav_groups": "Grupper",
        "nav_statistics": "Statistikk",
        "nav_breaks": "Skuleferiar",
        "nav_venues": "Møtestader og igangsetjarar",
        "nav_replacements": "Forfall",
        "nav_deliveries": "Meldingar",
        "nav_audit_grouping": "Logg: grupper",
        "nav_audit_registration": "Logg: påmeldingar",
        "nav_audit_calendar": "Logg: møtestader og tider",
        "audit_hint": "Kven som har lese eller endra kva, i distriktet ditt. Nyaste først (inntil 500 rader).",
        "audit_who": "Kven",
        "audit_role": "Rolle",
        "audit_scope": "Omfang",
        "audit_scope_national": "heile landet",
        "audit_role_staff": "distriktskontor",
        "audit_role_contact_point": "kontaktpunkt",
        "audit_role_starter": "igangsetjar",
        "audit_role_national": "nasjonal koordinator",
        "audit_role_operator": "drift",
        "audit_action": "Handling",
        "audit_all": "Alle",
        "audit_since": "Frå dato",
        "audit_until": "Til dato",
        "audit_show": "Vis",
        "audit_csv": "Last ned som CSV",
        "audit_rows": "{count} rader",
        "audit_time": "Tid",
        "audit_detail": "Detaljar",
        "audit_none": "Ingen rader.",
    },
    "en": {
        "site_name": "Self-help – district office",
        "console": "Console",
        "sign_out": "Sign out",
        "error_title": "That did not work",
        "nav_overview": "Overview",
        "nav_people": "Find a person",
        "nav_pool": "Waiting list",
        "nav_groups": "Groups",
        "nav_statistics": "Statistics",
        "nav_breaks": "School breaks",
        "nav_venues": "Venues and starters",
        "nav_replacements": "Starters away",
        "nav_deliveries": "Messages",
        "nav_audit_grouping": "Log: groups",
        "nav_audit_registration": "Log: registrations",
        "nav_audit_calendar": "Log: venues and times",
        "audit_hint": "Who has read or changed what in your district. Newest first (up to 500 rows).",
        "audit_who": "Who",
        "audit_role": "Role",
        "audit_scope": "Scope",
        "audit_scope_national": "the whole country",
        "audit_role_staff": "district office",
        "audit_role_contact_point": "contact point",
        "audit_role_starter": "starter",
        "audit_role_national": "national coordinator",
        "audit_role_operator": "operator",
        "audit_action": "Action",
        "audit_all": "All",
        "audit_since": "From date",
        "audit_until": "To date",
        "audit_show": "Show",
        "audit_csv": "Download as CSV",
        "audit_rows": "{count} rows",
        "audit_time": "Time",
        "audit_detail": "Details",
        "audit_none": "No rows.",
    },
}


def nav_items(
    words: dict[str, str], links: Iterable[tuple[str, str]], language: str, carry_language: bool
) -> list[NavItem]:
    """A console navigation: each link named by `words["nav_<key>"]` (a dash in the key as `_`). With
    `carry_language` every link takes the reader's language along: the language cookie belongs to one
    host, and the console spans four."""
    suffix = f"?lang={language}" if carry_language else ""
    return [NavItem(key, words[f"nav_{key.replace('-', '_')}"], url + suffix) for key, url in links]


def console_frame(
    request: Request, user, current: str, *, site_name: str, console: dict[str, str], nav: list[NavItem]
) -> dict[str, Any]:
    """What the console layout (`staff/layout.html`) needs around a page, whoever's console it is."""
    return {
        "site_name": site_name,
        "console": console,
        "nav": nav,
        "current": current,
        "user": user,
        "sign_out_url": f"{current_service(request).settings.grouping_url}/staff/sign-out",
    }


def staff_nav(settings, language: str = DEFAULT_LANGUAGE, carry_language: bool = False) -> list[NavItem]:
    """The district office's navigation across the four services."""
    g, r, c, n = (
        settings.grouping_url,
        settings.registration_url,
        settings.calendar_url,
        settings.notifications_url,
    )
    links = (
        ("overview", f"{g}/staff"),
        ("people", f"{r}/staff/people"),
        ("pool", f"{g}/staff/pool"),
        ("groups", f"{g}/staff/groups"),
        ("statistics", f"{g}/staff/statistics"),
        ("venues", f"{c}/staff/venues"),
        ("replacements", f"{c}/staff/replacements"),
        ("breaks", f"{c}/staff/breaks"),
        ("deliveries", f"{n}/staff/deliveries"),
        ("audit-grouping", f"{g}/staff/audit"),
        ("audit-registration", f"{r}/staff/audit"),
        ("audit-calendar", f"{c}/staff/audit"),
    )
    return nav_items(texts_for(STAFF_TEXTS, language), links, language, carry_language)


def language_was_chosen(request: Request) -> bool:
    """The reader picked a language (by link or earlier, by cookie) rather than getting the default."""
    return request.query_params.get("lang") in LANGUAGES or request.cookies.get(LANGUAGE_COOKIE) in LANGUAGES


def service_urls(settings) -> dict[str, str]:
    return {
        "grouping": settings.grouping_url,
        "registration": settings.registration_url,
        "calendar": settings.calendar_url,
        "notifications": settings.notifications_url,
    }


def safe_next(settings, url: str | None) -> str:
    """Only our own services' pages: a sign-in link must not become an open redirect."""
    home = f"{settings.grouping_url}/staff"
    if not url:
        return home
    for base in service_urls(settings).values():
        if url == base or url.startswith(base + "/"):
            return url
    return home


def session_hop_url(settings, after: str, token: str, then: str) -> str:
    """Where the sign-in goes after service `after` has set its cookie."""
    index = HOP_ORDER.index(after) + 1
    if index >= len(HOP_ORDER):
        return then
    base = service_urls(settings)[HOP_ORDER[index]]
    return f"{base}/staff/session?token={quote(token, safe='')}&then={quote(then, safe='')}"


def session_router(service_name: str) -> APIRouter:
    """`/staff/session` (development hop, see the module doc) and `/staff/sign-out` for one service."""
    router = APIRouter(include_in_schema=False)

    @router.get("/staff/session")
    async def take_session(request: Request, token: str, then: str | None = None) -> Response:
        settings = current_service(request).settings
        if not settings.dev_sign_in:
            raise HTTPException(404, "not found")
        if await verified_staff(request, token) is None:
            raise HTTPException(401, "the token is invalid, expired or signed out")
        target = safe_next(settings, then)
        response = RedirectResponse(session_hop_url(settings, service_name, token, target), status_code=303)
        set_staff_cookie(response, token, settings)
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @router.get("/staff/sign-out")
    async def sign_out(request: Request) -> Response:
        """Revoke the token here (each service keeps its own list, ADR 0010) and hop to the next service,
        which revokes the same token from its own cookie."""
        service = current_service(request)
        settings = service.settings
        token = request.cookies.get(staff_cookie_name(settings))
        user = await verified_staff(request, token) if token else None
        if user is not None:
            async with service.sessions() as session, session.begin():
                await revoke_staff_token(session, service.metadata, user)
        index = HOP_ORDER.index(service_name) + 1
        # The hop ends at grouping, which keeps the provider's logout hint for the provider's sign-out.
        last = f"{settings.grouping_url}{END_SESSION_PATH if oidc_enabled(settings) else '/staff/sign-in'}"
        target = (
            f"{service_urls(settings)[HOP_ORDER[index]]}/staff/sign-out" if index < len(HOP_ORDER) else last
        )
        response = RedirectResponse(target, status_code=303)
        clear_staff_cookie(response, settings)
        if service_name != HOP_ORDER[0]:
            response.delete_cookie(hint_cookie_name(settings), path="/")
        return response

    router.include_router(oidc_router(service_name))
    return router


def staff_page(
    environment,
    template: str,
    request: Request,
    user,
    current: str,
    *,
    language: str | None = None,
    **context: Any,
) -> Response:
    """A staff console page: the shared layout with the console's navigation, in the reader's language
    (`?lang=`, then the `lang` cookie, then bokmål). `console` carries the layout's and audit page's words."""
    settings = current_service(request).settings
    language = language or choose_language(request)
    texts = texts_for(STAFF_TEXTS, language)
    nav = staff_nav(settings, language, carry_language=language_was_chosen(request))
    frame = console_frame(request, user, current, site_name=texts["site_name"], console=texts, nav=nav)
    return page(environment, template, request, language, **{**frame, **context})
