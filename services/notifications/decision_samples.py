"""Sample contexts of the decision messages (issue 22) for `selvhjelp notifications preview` and tests."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

_OSLO = ZoneInfo("Europe/Oslo")
_SITE = "https://selvhjelp.example.no"
_LINKS = {
    "decisions_url": f"{_SITE}/decisions/Bq7vR2",
    "preferences_url": f"{_SITE}/p/Lm4tW2",
    "leave_url": f"{_SITE}/leave/Rw7uN5",
}
# Only what each sample's own wording reads: a test removes each in turn and expects an error.
_BELOW_MINIMUM = {"decision": "below_minimum"}

DECISION_SAMPLES: dict[str, dict[str, Any]] = {
    "decision_vote_request": {
        **_BELOW_MINIMUM,
        **_LINKS,
        "deadline": datetime(2026, 4, 7, 12, 0, tzinfo=_OSLO),
    },
    "decision_outcome": {
        **_BELOW_MINIMUM,
        **_LINKS,
        "decision": "change",
        "change": "pause",
        "pause_from": date(2026, 12, 20),
        "pause_until": date(2027, 1, 5),
        "result": "yes",
    },
    "group_merged": {
        "venue_name": "Bodø bibliotek",
        "venue_address": "Kongens gate 1, 8006 Bodø",
        "meeting_url": None,
        "meeting_start": datetime(2026, 4, 14, 18, 0, tzinfo=_OSLO),
        "meeting_end": datetime(2026, 4, 14, 20, 0, tzinfo=_OSLO),
        "meetings_url": f"{_SITE}/meetings/Tz6mK4",
        "calendar_feed_url": f"{_SITE}/feeds/participants/Tz6mK4.ics",
    },
}
