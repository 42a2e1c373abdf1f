"""The routes of the starter, national coordinator and operator roles (issue 20), as data: which service
serves each, which one role may use it, and what that role gets. The integration tests walk it for every
role and without a session; issue 20's authorization matrix can take it over as it is.

A path may hold `{group_id}`, `{meeting_start}` or `{queue}`: the test fills them with an object of the
right district (another district's object is a separate test: 404).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from shared.web_auth import CONTACT_POINT_ROLE, NATIONAL_ROLE, OPERATOR_ROLE, STAFF_ROLE, STARTER_ROLE

ALL_ROLES = (STAFF_ROLE, CONTACT_POINT_ROLE, STARTER_ROLE, NATIONAL_ROLE, OPERATOR_ROLE)


@dataclass(frozen=True)
class RoleRoute:
    service: str  # grouping | calendar
    method: str
    path: str
    role: str  # the only role allowed; every other role gets 403, no session a 303 to sign in
    allowed_status: int  # what the allowed role gets (a page 200, a form 303)
    form: dict[str, str] = field(default_factory=dict)

    def denied_status(self, role: str | None) -> int:
        if role is None:
            return 303  # a page without a session goes to the sign-in
        return self.allowed_status if role == self.role else 403


ROLE_ROUTES: tuple[RoleRoute, ...] = (
    RoleRoute("calendar", "GET", "/starter", STARTER_ROLE, 200),
    RoleRoute(
        "calendar",
        "POST",
        "/starter/groups/{group_id}/cannot-come",
        STARTER_ROLE,
        303,
        {"meeting_start": "{meeting_start}"},
    ),
    RoleRoute("calendar", "GET", "/staff/replacements", STAFF_ROLE, 200),
    RoleRoute(
        "calendar",
        "POST",
        "/staff/replacements/assign",
        STAFF_ROLE,
        303,
        {
            "group_id": "{group_id}",
            "meeting_start": "{meeting_start}",
            "starter_id": "00000000-0000-4000-8000-000000000000",  # no such starter: a clear error, 303
            "reason": "the matrix",
        },
    ),
    RoleRoute(
        "calendar",
        "POST",
        "/staff/replacements/handled",
        STAFF_ROLE,
        303,
        {"group_id": "{group_id}", "meeting_start": "{meeting_start}", "reason": "the matrix"},
    ),
    RoleRoute("grouping", "GET", "/national", NATIONAL_ROLE, 200),
    RoleRoute("grouping", "GET", "/operator", OPERATOR_ROLE, 200),
    RoleRoute("grouping", "GET", "/operator/dead-letters/{queue}", OPERATOR_ROLE, 200),
    RoleRoute("grouping", "POST", "/operator/dead-letters/{queue}/replay", OPERATOR_ROLE, 303),
)
# Not a session route: the starter's calendar feed (`/feeds/starters/{token}.ics`) is behind a signed
# link, like the participants' feeds; a wrong or expired link answers 404.


def routes_of(service: str) -> list[RoleRoute]:
    return [route for route in ROLE_ROUTES if route.service == service]


def filled(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text
