"""The authorization matrix of issue 20, against the four services started for real (PostgreSQL, RabbitMQ):

1. every route of every service is either role-protected (a dependency from shared.web_auth) or on the
   explicit public list of tests/support/authorization_matrix.py: deny by default, checked by machine;
2. every role-protected route × {each of the five roles, no session}: another role gets 403, no session
   401 (JSON API) or 303 to the sign-in (page), before any lookup (an id that names nothing is not 404);
3. scope: objects of another district (or municipality) answer 404 and are absent from lists
   ("nord" and "oslo-ost", Bodø and Rana, one object of each kind in each).

The services, their database and vhost are shared by the whole module: a refused request changes nothing.
"""

from __future__ import annotations

import contextlib
import urllib.parse
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from shared.auth import issue_staff_token
from shared.settings import Settings
from shared.web_auth import CONTACT_POINT_ROLE, STAFF_ROLE, STARTER_ROLE
from tests.support import running
from tests.support.authorization_matrix import (
    ALL_ROLES,
    PLACEHOLDERS,
    Route,
    filled_path,
    inventory,
    protected_routes,
    public_routes,
)
from tests.support.authorization_matrix import apps_for_inventory as build_apps
from tests.support.authorization_seed import (
    AWAY,
    CONTACT_AWAY,
    CONTACT_HOME,
    CONTACT_NAME,
    HOME,
    Objects,
    contact_sign_up_form,
    seed,
    starter_email,
)
from tests.support.contact_point_matrix import CONTACT_POINT_ROUTES
from tests.support.role_routes import ROLE_ROUTES

pytestmark = pytest.mark.integration


@dataclass
class Matrix:
    settings: Any
    apps: dict[str, Any]
    clients: dict[str, httpx.AsyncClient]


@pytest.fixture(scope="module")
async def matrix_settings(servers, template_database):
    """Like the `settings` fixture, but one database and vhost for the whole module."""
    from tests.conftest import _with_database

    name = f"t_authz_{uuid.uuid4().hex[:10]}"
    admin = create_async_engine(servers.database_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"'))
    vhost = name
    async with httpx.AsyncClient(
        base_url=servers.management_url, auth=servers.management_auth, timeout=30
    ) as api:
        (await api.put(f"/api/vhosts/{vhost}")).raise_for_status()
        user = servers.management_auth[0]
        everything = {"configure": ".*", "write": ".*", "read": ".*"}
        (await api.put(f"/api/permissions/{vhost}/{user}", json=everything)).raise_for_status()
        base = urllib.parse.urlsplit(servers.rabbitmq_url)
        try:
            yield Settings(
                database_url=_with_database(servers.database_url, name),
                rabbitmq_url=urllib.parse.urlunsplit((base.scheme, base.netloc, f"/{vhost}", "", "")),
                outbox_poll_seconds=0.1,
                calendar_poll_seconds=0.2,
                graceful_timeout_seconds=5,
                log_json=False,
                registration_rate_limit_per_client="",
                registration_rate_limit_per_contact="",
                environment="development",
            )
        finally:
            await api.delete(f"/api/vhosts/{vhost}")
            async with admin.connect() as connection:
                await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            await admin.dispose()


@pytest.fixture(scope="module")
async def matrix(matrix_settings):
    """The four services started once, each with an in-process HTTP client."""
    apps = build_apps(matrix_settings)
    services = {name: app.state.service for name, app in apps.items()}
    clients = {}
    async with contextlib.AsyncExitStack() as stack:
        for name, service in services.items():
            await stack.enter_async_context(running(service))
            transport = httpx.ASGITransport(app=apps[name])
            clients[name] = await stack.enter_async_context(
                httpx.AsyncClient(transport=transport, base_url=f"http://{name}.test")
            )
        yield Matrix(matrix_settings, apps, clients)


def token_for(settings, role: str, district: str = "nord", municipalities=("1804",)) -> str:
    """A valid session of one role: staff and starters in a district (a starter with its e-mail, as the
    calendar finds it), a contact point in its municipalities, the national coordinator and the operator
    in none."""
    return issue_staff_token(
        settings.keyring(),
        f"{role}.{district}",
        district if role in (STAFF_ROLE, STARTER_ROLE) else "",
        [role],
        municipalities=list(municipalities) if role == CONTACT_POINT_ROLE else [],
        email=starter_email(district) if role == STARTER_ROLE else "",
    )


def credentials(route: Route, settings, token: str | None) -> dict[str, str]:
    if token is None:
        return {}
    if route.kind == "api":
        return {"authorization": f"Bearer {token}"}
    return {"cookie": f"staff_token={token}"}


def test_every_route_is_role_protected_or_on_the_public_list():
    unlisted, stale = [], []
    for service in ("registration", "grouping", "calendar", "notifications"):
        routes = [route for route in inventory() if route.service == service]
        listed = public_routes(service)
        unlisted += [r.id for r in routes if not r.roles and (r.method, r.path) not in listed]
        present = {(r.method, r.path) for r in routes if not r.roles}
        stale += [f"{service} {m} {p}" for (m, p) in listed if (m, p) not in present]
    assert not unlisted, f"routes with no role dependency and not on the public list: {unlisted}"
    assert not stale, f"public list entries that are no route (or are protected now): {stale}"


def test_the_matrix_covers_every_role_page_and_api_the_issue_names():
    protected = {route.path for route in protected_routes()}
    for path in ("/staff", "/contact", "/starter", "/national", "/operator", "/api/v1/staff/registrations"):
        assert path in protected


def test_the_older_role_tables_agree_with_the_routes_dependencies():
    """tests/support/role_routes.py and contact_point_matrix.py (which also check what the allowed role
    gets) name the role each route's dependency really demands."""
    roles = {(r.service, r.method, r.path): r.roles for r in protected_routes()}
    for route in ROLE_ROUTES:
        assert roles.get((route.service, route.method, route.path)) == {route.role}, route
    for case in CONTACT_POINT_ROUTES:
        assert roles.get((case.service, case.method, case.path)) == {CONTACT_POINT_ROLE}, case


def _case_id(value) -> str:
    return value.id if isinstance(value, Route) else str(value)


@pytest.mark.parametrize("route", protected_routes(), ids=_case_id)
async def test_a_role_route_refuses_every_other_role_and_no_session_before_any_lookup(route, matrix):
    settings = matrix.settings
    http = matrix.clients[route.service]
    values = {name: PLACEHOLDERS.get(name, str(uuid.uuid4())) for name in route.path_params}
    url = filled_path(route, values)
    wrong = []
    for role in (*ALL_ROLES, None):
        if role in route.roles:
            continue
        token = token_for(settings, role) if role else None
        reply = await http.request(route.method, url, headers=credentials(route, settings, token))
        if role is None:
            expected = 401 if route.kind == "api" else 303
        else:
            expected = 403
        location = reply.headers.get("location", "")
        if reply.status_code != expected or (expected == 303 and "/staff/" not in location):
            wrong.append((role or "no session", reply.status_code, location or reply.text[:120]))
    assert not wrong, f"{route.id}: expected 403 for other roles, 401/303 without a session: {wrong}"


# --- 3. scope: another district's (or municipality's) objects ----------------------------------------

SCOPED_ROLES = (STAFF_ROLE, CONTACT_POINT_ROLE, STARTER_ROLE)
OBJECT_PARAMS = {"participant_id", "group_id", "venue_id", "starter_id"}


def scoped_token(settings, role: str, where: str) -> str:
    """`where` is HOME or AWAY: the district, or for a contact point Bodø or Rana."""
    if role == CONTACT_POINT_ROLE:
        return token_for(settings, role, municipalities=(CONTACT_HOME if where == HOME else CONTACT_AWAY,))
    return token_for(settings, role, district=where)


@pytest.fixture(scope="module")
async def seeded(matrix):
    services = {name: app.state.service for name, app in matrix.apps.items()}
    objects = await seed(matrix.settings, services, matrix.clients)
    home_contact = scoped_token(matrix.settings, CONTACT_POINT_ROLE, HOME)
    reply = await matrix.clients["registration"].post(
        "/contact/register", data=contact_sign_up_form(), headers={"cookie": f"staff_token={home_contact}"}
    )
    assert reply.status_code == 303, reply.text[:300]
    return objects


def object_values(objects: Objects | None) -> dict[str, str]:
    ids = {name: str(uuid.uuid4()) for name in OBJECT_PARAMS}
    if objects is not None:
        ids = {name: getattr(objects, name) for name in OBJECT_PARAMS}
    return {**PLACEHOLDERS, **ids}


def object_routes() -> list[tuple[Route, str]]:
    return [
        (route, role)
        for route in protected_routes()
        if OBJECT_PARAMS & set(route.path_params)
        for role in sorted(route.roles & set(SCOPED_ROLES))
    ]


# GETs whose own object may still answer something else than 200 (nothing to show for it yet).
HOME_STATUS = {"/api/v1/staff/erasures/{participant_id}": 404}
QUERY = {"reason": "authorization matrix"}  # the reason staff give for reading a person


@pytest.mark.parametrize(("route", "role"), object_routes(), ids=_case_id)
async def test_another_districts_object_looks_like_no_object_at_all(route, role, matrix, seeded):
    settings, http = matrix.settings, matrix.clients[route.service]
    home = seeded[HOME]
    away_token = scoped_token(settings, role, AWAY)

    async def status(values: dict[str, str], token: str) -> int:
        url = filled_path(route, values)
        headers = credentials(route, settings, token)
        return (await http.request(route.method, url, params=QUERY, headers=headers)).status_code

    theirs = await status(object_values(home), away_token)
    nobodys = await status(object_values(None), away_token)
    assert theirs == nobodys, f"{route.id} as {role} of another district: {theirs}, for no object {nobodys}"
    if route.method == "GET":
        assert theirs == 404, f"{route.id} as {role} of another district: {theirs}"
        own = await status(object_values(home), scoped_token(settings, role, HOME))
        assert own == HOME_STATUS.get(route.path, 200), f"{route.id} as {role} of its own district: {own}"


@dataclass(frozen=True)
class ListCase:
    service: str
    path: str
    role: str
    shows: str  # the attribute of Objects (or a literal name) the list shows its own object by
    prefix: bool = False  # the page shows ids by their first 8 characters

    @property
    def id(self) -> str:
        return f"{self.service} GET {self.path} as {self.role}"


LIST_CASES = (
    ListCase("registration", "/api/v1/staff/registrations", STAFF_ROLE, "participant_id"),
    ListCase("registration", "/api/v1/staff/audit", STAFF_ROLE, "audit_marker"),
    ListCase("registration", "/staff/audit", STAFF_ROLE, "audit_marker"),
    ListCase("registration", "/staff/audit.csv", STAFF_ROLE, "audit_marker"),
    ListCase("registration", "/contact/registrations", CONTACT_POINT_ROLE, CONTACT_NAME),
    ListCase("grouping", "/api/v1/staff/pool", STAFF_ROLE, "participant_id"),
    ListCase("grouping", "/staff/pool", STAFF_ROLE, "participant_id"),
    ListCase("grouping", "/api/v1/staff/groups", STAFF_ROLE, "group_id"),
    ListCase("grouping", "/staff/groups", STAFF_ROLE, "group_id"),
    ListCase("grouping", "/staff/audit", STAFF_ROLE, "audit_marker"),
    ListCase("grouping", "/staff/audit.csv", STAFF_ROLE, "audit_marker"),
    ListCase("calendar", "/api/v1/staff/groups", STAFF_ROLE, "group_id"),
    ListCase("calendar", "/api/v1/staff/venues", STAFF_ROLE, "venue_name"),
    ListCase("calendar", "/staff/venues", STAFF_ROLE, "venue_name"),
    ListCase("calendar", "/api/v1/staff/starters", STAFF_ROLE, "starter_id"),
    ListCase("calendar", "/staff/audit", STAFF_ROLE, "audit_marker"),
    ListCase("calendar", "/staff/audit.csv", STAFF_ROLE, "audit_marker"),
    ListCase("calendar", "/contact/venues", CONTACT_POINT_ROLE, "venue_name"),
    ListCase("calendar", "/starter", STARTER_ROLE, "group_id", prefix=True),
    ListCase("notifications", "/api/v1/staff/deliveries", STAFF_ROLE, "recipient_id"),
    ListCase("notifications", "/staff/deliveries", STAFF_ROLE, "recipient_id", prefix=True),
)


def test_every_list_case_is_a_role_route():
    routes = {(r.service, r.path): r.roles for r in protected_routes() if r.method == "GET"}
    for case in LIST_CASES:
        assert case.role in routes.get((case.service, case.path), ()), case.id


@pytest.mark.parametrize("case", LIST_CASES, ids=lambda case: case.id)
async def test_a_list_shows_its_own_districts_object_and_not_another_districts(case, matrix, seeded):
    settings, http = matrix.settings, matrix.clients[case.service]
    marker = getattr(seeded[HOME], case.shows, case.shows)
    marker = marker[:8] if case.prefix else marker
    kind = "api" if case.path.startswith("/api/") else "page"
    route = Route(case.service, "GET", case.path, frozenset({case.role}), kind, ())
    for where, should_show in ((HOME, True), (AWAY, False)):
        headers = credentials(route, settings, scoped_token(settings, case.role, where))
        reply = await http.get(case.path, headers=headers)
        assert reply.status_code == 200, f"{case.id} ({where}): {reply.status_code} {reply.text[:200]}"
        assert (marker in reply.text) == should_show, f"{case.id} ({where}) shows {marker}: {not should_show}"
