"""Every HTTP route of the four services, as the authorization matrix test sees it (issue 20).

Deny by default, machine-checked: a route is either protected by a role dependency from shared.web_auth
(`<role>_api_user` / `<role>_page_user`, or `<role>_or_<role>_page_user` for a route two roles share) or
on PUBLIC_ROUTES below with the reason it may be reached without a staff session. A new route that is
neither fails tests/integration/test_authorization_matrix.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from shared.web_auth import CONTACT_POINT_ROLE, NATIONAL_ROLE, OPERATOR_ROLE, STAFF_ROLE, STARTER_ROLE

ALL_ROLES = (STAFF_ROLE, CONTACT_POINT_ROLE, STARTER_ROLE, NATIONAL_ROLE, OPERATOR_ROLE)
SERVICES = ("registration", "grouping", "calendar", "notifications")
_ROLE_DEPENDENCY = re.compile(r"^(?P<roles>.+)_(?P<kind>api|page)_user$")

_SIGN_IN = "sign-in: the session hop, sign-out and the OpenID Connect flow"
_SIGNED = "a participant's or starter's signed link: a wrong or expired token answers 404"
_DOCS = "machine-readable interface descriptions, no data"
_HEALTH = "probes and metrics for the platform, no personal data"
_EVERY_SERVICE = {
    ("GET", "/health/live"): _HEALTH,
    ("GET", "/health/ready"): _HEALTH,
    ("GET", "/metrics"): _HEALTH,
    ("GET", "/asyncapi.json"): _DOCS,
    ("GET", "/openapi.json"): _DOCS,
    ("GET", "/docs"): _DOCS,
    ("GET", "/docs/oauth2-redirect"): _DOCS,
    ("GET", "/redoc"): _DOCS,
    ("GET", "/static"): "stylesheets and scripts",
    ("GET", "/staff/session"): _SIGN_IN,
    ("GET", "/staff/sign-out"): _SIGN_IN,
    ("GET", "/staff/oidc/start"): _SIGN_IN,
    ("GET", "/staff/oidc/callback"): _SIGN_IN,
    ("GET", "/staff/oidc/end-session"): _SIGN_IN,
}
_PER_SERVICE = {
    "registration": {
        ("GET", "/"): "the public registration form",
        ("POST", "/register"): "the public registration form",
        ("GET", "/erased"): "the public page after an erasure",
        ("POST", "/api/v1/registrations"): "the public registration API",
        ("POST", "/api/v1/partner/registrations"): "partners: its own OAuth2 client-credentials check",
        ("GET", "/api/v1/registrations/status/{token}"): _SIGNED,
        ("POST", "/api/v1/registrations/status/{token}/withdraw"): _SIGNED,
        ("POST", "/api/v1/registrations/status/{token}/erase"): _SIGNED,
        ("GET", "/status/{token}"): _SIGNED,
        ("POST", "/status/{token}/availability"): _SIGNED,
        ("POST", "/status/{token}/options/{code}"): _SIGNED,
        ("GET", "/status/{token}/change"): _SIGNED,
        ("POST", "/status/{token}/change"): _SIGNED,
        ("GET", "/status/{token}/{action}"): _SIGNED,
        ("POST", "/status/{token}/withdraw"): _SIGNED,
        ("POST", "/status/{token}/erase"): _SIGNED,
    },
    "grouping": {
        ("GET", "/staff/sign-in"): _SIGN_IN + " (development sign-in, refused in production)",
        ("POST", "/staff/sign-in"): _SIGN_IN + " (development sign-in, refused in production)",
        ("POST", "/staff/sign-in/contact-point"): _SIGN_IN + " (development sign-in, refused in production)",
        ("GET", "/invitations/{token}"): _SIGNED,
        ("POST", "/invitations/{token}"): _SIGNED,
        ("GET", "/admission/{token}"): _SIGNED,
        ("POST", "/admission/{token}"): _SIGNED,
        ("POST", "/admission/{token}/request"): _SIGNED,
        ("POST", "/api/v1/membership/{token}/admission-requests"): _SIGNED,
        ("POST", "/api/v1/membership/{token}/leave"): _SIGNED,
        ("GET", "/leave/{token}"): _SIGNED,
        ("POST", "/leave/{token}"): _SIGNED,
        ("GET", "/decisions/{token}"): _SIGNED,
        ("POST", "/decisions/{token}"): _SIGNED,
        ("GET", "/decisions/{token}/propose"): _SIGNED,
        ("POST", "/decisions/{token}/propose"): _SIGNED,
    },
    "calendar": {
        ("GET", "/feeds/groups/{token}.ics"): _SIGNED,
        ("GET", "/feeds/participants/{token}.ics"): _SIGNED,
        ("GET", "/feeds/starters/{token}.ics"): _SIGNED,
        ("GET", "/meetings/{token}"): _SIGNED,
    },
    "notifications": {
        ("GET", "/absence/{token}"): _SIGNED,
        ("POST", "/absence/{token}"): _SIGNED,
        ("GET", "/preferences/{token}"): _SIGNED,
        ("POST", "/preferences/{token}"): _SIGNED,
        ("POST", "/api/v1/sms/inbound"): "the SMS gateway's webhook: its own HMAC signature",
    },
}


def public_routes(service: str) -> dict[tuple[str, str], str]:
    return {**_EVERY_SERVICE, **_PER_SERVICE[service]}


@dataclass(frozen=True)
class Route:
    service: str
    method: str
    path: str
    roles: frozenset[str]  # empty: no role dependency at all
    kind: str  # "api" (bearer, 401 without) | "page" (cookie, 303 to sign in without) | "" (public)
    path_params: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.service} {self.method} {self.path}"


def role_dependencies(dependant) -> set[str]:
    """The names of the role dependencies anywhere under a route's dependant."""
    found = set()
    for sub in dependant.dependencies:
        name = getattr(sub.call, "__name__", "")
        if _ROLE_DEPENDENCY.match(name):
            found.add(name)
        found |= role_dependencies(sub)
    return found


def _flat(routes) -> Iterator:
    """FastAPI 0.16x keeps included routers as one entry each: their routes are inside."""
    for route in routes:
        if hasattr(route, "effective_route_contexts"):
            yield from route.effective_route_contexts()
        else:
            yield route


def routes_of_app(service: str, app) -> list[Route]:
    found = []
    for route in _flat(app.routes):
        dependant = getattr(route, "dependant", None)
        methods = sorted((getattr(route, "methods", None) or {"GET"}) - {"HEAD"})
        names = role_dependencies(dependant) if dependant else set()
        roles: set[str] = set()
        kinds = set()
        for name in names:
            match = _ROLE_DEPENDENCY.match(name)
            roles |= set(match["roles"].split("_or_"))
            kinds.add(match["kind"])
        assert len(kinds) <= 1, f"{service} {route.path}: both a bearer and a cookie dependency"
        params = tuple(p.name for p in dependant.path_params) if dependant else ()
        for method in methods:
            found.append(Route(service, method, route.path, frozenset(roles), "".join(kinds), params))
    return found


def apps_for_inventory(settings) -> dict[str, object]:
    """The four services' apps, built (not started) to list their routes."""
    from services.calendar.app import create_app as calendar_app
    from services.grouping.app import create_app as grouping_app
    from services.notifications.app import create_service, http_app
    from services.registration.app import create_app as registration_app

    return {
        "registration": registration_app(settings),
        "grouping": grouping_app(settings),
        "calendar": calendar_app(settings),
        "notifications": http_app(create_service(settings)),
    }


@cache
def inventory() -> tuple[Route, ...]:
    """Every route of the four services, from apps built with placeholder settings (nothing connects)."""
    from shared.settings import Settings

    settings = Settings(
        database_url="postgresql+asyncpg://inventory@127.0.0.1:1/inventory",
        rabbitmq_url="amqp://inventory@127.0.0.1:1/",
        environment="development",
    )
    return tuple(
        route
        for service, app in apps_for_inventory(settings).items()
        for route in routes_of_app(service, app)
    )


def protected_routes() -> list[Route]:
    return [route for route in inventory() if route.roles]


# What fills a path parameter when only the role check matters: the check runs before any lookup, so
# an id that names nothing must still get 401/403, never 404 or 422.
PLACEHOLDERS = {
    "original_date": "2031-01-07",
    "key": "summer-2031",
    "queue": "registration.intake.dlq",
}


def filled_path(route: Route, values: dict[str, str]) -> str:
    path = route.path
    for name in route.path_params:
        path = path.replace("{" + name + "}", values[name])
    return path
