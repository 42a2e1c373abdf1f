"""Where each role lands after signing in: its own home page, never a page of another role that would
answer 403. All homes are on grouping, the console's home (the sign-in hop sets every service's cookie)."""

from __future__ import annotations

from collections.abc import Iterable

from shared.web_auth import CONTACT_POINT_ROLE, STAFF_ROLE

# In order of precedence: someone with two roles lands on the first one's home.
ROLE_HOMES = (
    (STAFF_ROLE, "/staff"),
    (CONTACT_POINT_ROLE, "/contact"),
)


def home_for(settings, roles: Iterable[str]) -> str:
    """The home page of the first role of ours the user has (the staff overview when none matches: it
    answers 403 with the reason, rather than a page that pretends nothing is wrong)."""
    held = set(roles)
    path = next((path for role, path in ROLE_HOMES if role in held), "/staff")
    return f"{settings.grouping_url}{path}"


def landing_for(settings, asked: str, roles: Iterable[str]) -> str:
    """Where a sign-in ends: the page asked for, except the default staff overview (what a bare sign-in
    asks for), which becomes the signed-in role's own home."""
    if asked.rstrip("/") == f"{settings.grouping_url}/staff":
        return home_for(settings, roles)
    return asked
