"""Why the calendar could not schedule a group, in the reader's language. Pure.

The calendar's matcher gives each failure a code with parameters (`NoFit`), stores them with the group and
sends them in `group.scheduling_failed.v1`; the calendar's staff page and grouping's group flag both show
them with these words. A failure stored before codes existed (English words only) is shown as stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.texts import text
from shared.vocabulary import slot_name

SCHEDULING_FAILURE_TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "no_member_municipality": "gruppen har ingen medlemskommune å lete etter møtested i",
        "no_venue_registered": "ingen møtesteder er registrert i {places} eller nabokommunene",
        "no_venue_with_room": "ingen{accessible} møtesteder med plass til {size} i {places} eller nabokommunene",
        "no_venue_open": "ingen{accessible} møtesteder med plass til {size} i {places} eller nabokommunene er åpne "
        "{slot} (oppstart {earliest}–{latest})",
        "no_venue_free": "ingen{accessible} møtesteder med plass til {size} i {places} eller nabokommunene er ledige "
        "{slot} de første {meetings} møtene fra {first_date} (opptatt eller stengt noen av dagene)",
        "no_starter": "ingen igangsetter i distrikt {district} er tilgjengelig og ledig {slot} (oppstart "
        "{earliest}–{latest}) de første {meetings} møtene",
        "accessible": " tilgjengelige",
    },
    "nn": {
        "no_member_municipality": "gruppa har ingen medlemskommune å leite etter møtestad i",
        "no_venue_registered": "ingen møtestader er registrerte i {places} eller nabokommunane",
        "no_venue_with_room": "ingen{accessible} møtestader med plass til {size} i {places} eller nabokommunane",
        "no_venue_open": "ingen{accessible} møtestader med plass til {size} i {places} eller nabokommunane er opne "
        "{slot} (oppstart {earliest}–{latest})",
        "no_venue_free": "ingen{accessible} møtestader med plass til {size} i {places} eller nabokommunane er ledige "
        "{slot} dei første {meetings} møta frå {first_date} (oppteke eller stengt nokre av dagane)",
        "no_starter": "ingen igangsetjar i distrikt {district} er tilgjengeleg og ledig {slot} (oppstart "
        "{earliest}–{latest}) dei første {meetings} møta",
        "accessible": " tilgjengelege",
    },
    "en": {
        "no_member_municipality": "the group has no member municipality to look for a venue in",
        "no_venue_registered": "no venue is registered in {places} or neighbouring municipalities",
        "no_venue_with_room": "no{accessible} venue with room for {size} in {places} or neighbours",
        "no_venue_open": "no{accessible} venue with room for {size} in {places} or neighbours is open {slot} "
        "(starting {earliest}-{latest})",
        "no_venue_free": "no{accessible} venue with room for {size} in {places} or neighbours is free {slot} for "
        "the first {meetings} meetings from {first_date} (booked or closed on some of those days)",
        "no_starter": "no starter in district {district} is available and free {slot} (starting "
        "{earliest}-{latest}) for the group's first {meetings} meetings",
        "accessible": " accessible",
    },
}


def scheduling_failure_words(
    code: str | None, params: Mapping[str, Any] | None, stored_text: str, language: str
) -> str:
    """The failure in the reader's language; its stored words when it has no code we know."""
    if code not in SCHEDULING_FAILURE_TEXTS["nb"] or code == "accessible":
        return str(stored_text or "")
    words = dict(params or {})
    if "slot" in words:
        words["slot"] = slot_name(words["slot"], language)
    if "accessible" in words:
        words["accessible"] = (
            text(SCHEDULING_FAILURE_TEXTS, language, "accessible") if words["accessible"] else ""
        )
    return text(SCHEDULING_FAILURE_TEXTS, language, code, **words)
