"""Who may use the contact point's routes: every route × {the contact point, a contact point of another
municipality, district office staff, no session}, with the status each gets. The contact point tests of
registration, grouping and calendar run it route by route; the issue's authorization matrix test can take
`CONTACT_POINT_ROUTES` and `session_cookie` as they are.

Another municipality's contact point may open the pages (they are its own too) but sees nothing of the
first one's (absent from lists, 404 for a venue, a registration in a municipality not its own refused).
A district office gets 403 (deny by default: the role does not match); without a session every page
sends the browser to sign in (303).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shared.auth import issue_staff_token

# The contact point under test covers Bodø and Narvik (as kontakt.bodo of the local OpenID provider);
# the other covers Rana: the same district, another municipality.
CONTACT_POINT = "contact_point"
OTHER_CONTACT_POINT = "other_contact_point"
STAFF = "staff"
NO_SESSION = "none"
ROLES = (CONTACT_POINT, OTHER_CONTACT_POINT, STAFF, NO_SESSION)

HOME_MUNICIPALITIES = ["1804", "1806"]
OTHER_MUNICIPALITIES = ["1833"]


def session_cookie(keyring, role: str) -> str | None:
    """The staff cookie's value for a role of the matrix (None: no session)."""
    if role == CONTACT_POINT:
        return issue_staff_token(
            keyring, "kontakt.bodo", "", ["contact_point"], municipalities=HOME_MUNICIPALITIES
        )
    if role == OTHER_CONTACT_POINT:
        return issue_staff_token(
            keyring, "kontakt.rana", "", ["contact_point"], municipalities=OTHER_MUNICIPALITIES
        )
    if role == STAFF:
        return issue_staff_token(keyring, "kontor.nord", "nord", ["staff"])
    return None


@dataclass(frozen=True)
class RouteCase:
    service: str  # which service serves it
    method: str
    path: str  # `{venue_id}`: a venue in the contact point's municipality
    expected: dict[str, int]  # role -> status code
    form: dict[str, Any] = field(default_factory=dict)

    def url(self, **ids: str) -> str:
        return self.path.format(**ids)


def _statuses(own: int, other: int) -> dict[str, int]:
    return {CONTACT_POINT: own, OTHER_CONTACT_POINT: other, STAFF: 403, NO_SESSION: 303}


SIGN_UP_FORM = {
    "form_id": "0123456789abcdef0123456789abcdef",
    "name": "Kari Kontakt",
    "email": "kari@example.org",
    "mobile": "",
    "birth_date": "27.03.1985",
    "gender": "female",
    "municipality": "1804",
    "topic": "grief",
    "topic_text": "",
    "composition": "any",
    "format": "in_person",
    "availability": ["tue_evening", "thu_evening"],
    "language": "nb",
    "consent": "yes",
}

VENUE_FORM = {
    "municipality": "1804",
    "name": "Frivilligsentralen",
    "address": "Storgata 1",
    "kind": "volunteer_centre",
    "capacity": "12",
    "opening_hours": "tue 17:00-21:00",
    "blackout_dates": "",
}

CONTACT_POINT_ROUTES: tuple[RouteCase, ...] = (
    RouteCase("grouping", "GET", "/contact", _statuses(200, 200)),
    RouteCase("registration", "GET", "/contact/register", _statuses(200, 200)),
    # A registration in Bodø: the other contact point's post is refused (422), not registered.
    RouteCase("registration", "POST", "/contact/register", _statuses(303, 422), form=SIGN_UP_FORM),
    RouteCase("registration", "GET", "/contact/registrations", _statuses(200, 200)),
    RouteCase("calendar", "GET", "/contact/venues", _statuses(200, 200)),
    # A venue in Bodø: the other contact point is sent back with the refusal (303 with ?error=).
    RouteCase("calendar", "POST", "/contact/venues", _statuses(303, 303), form=VENUE_FORM),
    RouteCase("calendar", "GET", "/contact/venues/{venue_id}", _statuses(200, 404)),
    RouteCase("calendar", "POST", "/contact/venues/{venue_id}", _statuses(303, 404), form=VENUE_FORM),
)


def routes_of(service: str) -> list[RouteCase]:
    return [case for case in CONTACT_POINT_ROUTES if case.service == service]


def cases_of(service: str) -> list[tuple[RouteCase, str]]:
    """(route, role) pairs of one service, for pytest.mark.parametrize."""
    return [(case, role) for case in routes_of(service) for role in ROLES]


def case_id(value) -> str:
    return f"{value.method} {value.path}" if isinstance(value, RouteCase) else str(value)
