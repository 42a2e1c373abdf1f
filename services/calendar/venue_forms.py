"""The venue and starter forms of the staff pages, the contact point's pages and the unblock page.

One form model each, so the five venue routes and the two starter routes read the same fields with the same
limits (a field over its limit is a 422, as with single `Form()` parameters). A route's own fields (the
municipality, `active`, the reason for an unblock fix) stay parameters of that route.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from .registry import VENUE_KINDS, hours_to_json, parse_dates_text, parse_hours_text


class VenueForm(BaseModel):
    name: str = Field("", max_length=200)
    address: str = Field("", max_length=300)
    kind: str = ""
    capacity: str = ""
    accessible: str | None = None
    opening_hours: str = ""
    blackout_dates: str = ""

    def values(self, t: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
        """The venue's columns from the form, and the errors in the reader's language (t: staff texts)."""
        errors: list[str] = []
        if not self.name.strip():
            errors.append(t["error_name"])
        if self.kind not in VENUE_KINDS:
            errors.append(t["error_kind"])
        try:
            places = int(self.capacity)
            if not 1 <= places <= 500:
                raise ValueError
        except ValueError:
            places = 0
            errors.append(t["error_capacity"])
        try:
            hours = hours_to_json(parse_hours_text(self.opening_hours))
        except ValueError as error:
            hours = {}
            errors.append(t["error_hours"].format(error=error))
        try:
            closed = sorted(day.isoformat() for day in parse_dates_text(self.blackout_dates))
        except ValueError as error:
            closed = []
            errors.append(t["error_closed"].format(error=error))
        values = {
            "name": self.name.strip(),
            "address": self.address.strip(),
            "kind": self.kind,
            "capacity": places,
            "accessible": self.accessible == "yes",
            "opening_hours": hours,
            "blackout_dates": closed,
        }
        return values, errors


class StarterForm(BaseModel):
    """The fields only: the district's register form and the unblock page check them differently (the unblock
    fix reports in its own words and asks less of the e-mail address)."""

    first_name: str = Field("", max_length=100)
    email: str = Field("", max_length=254)
    availability: str = ""
    language: str = Field("nb", max_length=2)  # of its messages (nb, nn, en)
