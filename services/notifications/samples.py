"""Realistic sample contexts of every message type, for `selvhjelp notifications preview` and the tests
(`rendering.sample_context`). No real persons."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from .decision_samples import DECISION_SAMPLES
from .domain import OSLO

_SITE = "https://selvhjelp.example.no"
_FIRST_MEETING = datetime(2026, 3, 3, 18, 0, tzinfo=OSLO)
_IN_PERSON = {
    "venue_name": "Bodø frivilligsentral",
    "venue_address": "Storgata 12, 8006 Bodø",
    "meeting_url": None,
}
SAMPLES: dict[str, dict[str, Any]] = {
    "registration_received": {"status_url": f"{_SITE}/s/7Kq2xR"},
    "waiting_options": {
        "status_url": f"{_SITE}/s/7Kq2xR",
        "options": [
            {"code": "more_times", "slots": ["wed_evening", "thu_evening"], "municipality": ""},
            {"code": "digital", "slots": [], "municipality": ""},
            {"code": "neighbour_municipality", "slots": [], "municipality": "Saltdal"},
        ],
    },
    "registration_rejected": {
        "reasons": ["unknown_municipality", "missing_consent"],
        "register_url": f"{_SITE}/meld-deg-pa",
        "contact_email": "post@selvhjelp.example.no",
    },
    "group_invitation": {
        **_IN_PERSON,
        "member_count": 7,
        "starter_name": "Ola",
        "starter_meetings": 3,
        "first_meeting": _FIRST_MEETING,
        "interval_weeks": 1,
        "duration_minutes": 120,
        "group_size_min": 4,
        "group_size_max": 8,
        "respond_by": date(2026, 2, 24),
        "invitation_url": f"{_SITE}/i/Xk3f9QaB",
        "accept_url": f"{_SITE}/i/Xk3f9QaB/ja",
        "decline_url": f"{_SITE}/i/Xk3f9QaB/nei",
    },
    "group_started": {
        "leave_url": f"{_SITE}/leave/Rw7uN5",
        "member_count": 7,
        "first_meeting": _FIRST_MEETING,
        "preferences_url": f"{_SITE}/p/Lm4tW2",
        "meetings_url": f"{_SITE}/meetings/Tz6mK4",
        "calendar_feed_url": f"{_SITE}/feeds/participants/Tz6mK4.ics",
    },
    "first_meeting": {
        "leave_url": f"{_SITE}/leave/Rw7uN5",
        **_IN_PERSON,
        "meeting_start": _FIRST_MEETING,
        "meeting_end": _FIRST_MEETING.replace(hour=20),
        "starter_name": "Ola",
        "starter_meetings": 3,
        "absence_url": f"{_SITE}/f/Qp8sZ1",
        "meetings_url": f"{_SITE}/meetings/Tz6mK4",
        "calendar_feed_url": f"{_SITE}/feeds/participants/Tz6mK4.ics",
    },
    "schedule_changed": {
        "leave_url": f"{_SITE}/leave/Rw7uN5",
        **_IN_PERSON,
        "occurrence": datetime(2026, 3, 17, 18, 0, tzinfo=OSLO),
        "new_start": datetime(2026, 3, 18, 18, 0, tzinfo=OSLO),
        "interval_weeks": 1,
        "absence_url": f"{_SITE}/f/Qp8sZ1",
    },
    "meeting_cancelled": {
        "meeting_start": datetime(2026, 3, 24, 18, 0, tzinfo=OSLO),
        "next_meeting": datetime(2026, 3, 31, 18, 0, tzinfo=OSLO),
    },
    "meeting_reminder": {
        "leave_url": f"{_SITE}/leave/Rw7uN5",
        **_IN_PERSON,
        "meeting_start": datetime(2026, 3, 10, 18, 0, tzinfo=OSLO),
        "meeting_end": datetime(2026, 3, 10, 20, 0, tzinfo=OSLO),
        "absence_url": f"{_SITE}/f/Qp8sZ1",
        "preferences_url": f"{_SITE}/p/Lm4tW2",
    },
    "absence_notice": {
        "absent_name": "Per Olav Hansen",
        "meeting_start": datetime(2026, 3, 10, 18, 0, tzinfo=OSLO),
    },
    "meeting_at_risk": {
        "leave_url": f"{_SITE}/leave/Rw7uN5",
        "meeting_start": datetime(2026, 3, 10, 18, 0, tzinfo=OSLO),
        "absent_count": 4,
        "expected_count": 3,
        "absence_url": f"{_SITE}/f/Qp8sZ1",
        "preferences_url": f"{_SITE}/p/Lm4tW2",
    },
    "admission_vote_request": {
        "leave_url": f"{_SITE}/leave/Rw7uN5",
        "member_count": 3,
        "wanted": 2,
        "candidate_count": 4,
        "vote_by": date(2026, 4, 7),
        "vote_url": f"{_SITE}/v/Hd5nC3",
        "preferences_url": f"{_SITE}/p/Lm4tW2",
    },
    "newcomer_invitation": {
        **_IN_PERSON,
        "member_count": 3,
        "next_meeting": datetime(2026, 4, 14, 18, 0, tzinfo=OSLO),
        "interval_weeks": 1,
        "duration_minutes": 120,
        "group_size_min": 4,
        "group_size_max": 8,
        "respond_by": date(2026, 4, 13),
        "invitation_url": f"{_SITE}/i/Xk3f9QaB",
        "accept_url": f"{_SITE}/i/Xk3f9QaB/ja",
        "decline_url": f"{_SITE}/i/Xk3f9QaB/nei",
    },
    "newcomer_joined": {
        "next_meeting": datetime(2026, 4, 14, 18, 0, tzinfo=OSLO),
        "preferences_url": f"{_SITE}/p/Lm4tW2",
        "leave_url": f"{_SITE}/leave/Rw7uN5",
    },
    "member_left": {
        "named": True,
        "subject_name": "Per Olav Hansen",
        "member_count": 5,
        "preferences_url": f"{_SITE}/p/Lm4tW2",
        "leave_url": f"{_SITE}/leave/Rw7uN5",
    },
    "group_below_minimum": {
        "member_count": 3,
        "group_size_min": 4,
        "preferences_url": f"{_SITE}/p/Lm4tW2",
        "leave_url": f"{_SITE}/leave/Rw7uN5",
        "meetings_url": f"{_SITE}/meetings/Tz6mK4",
        "calendar_feed_url": f"{_SITE}/feeds/participants/Tz6mK4.ics",
    },
    "group_ended": {
        "register_url": f"{_SITE}/meld-deg-pa",
        "preferences_url": f"{_SITE}/p/Lm4tW2",
    },
    "invitation_withdrawn": {"preferences_url": f"{_SITE}/p/Lm4tW2", "leave_url": None},
    "erasure_confirmed": {
        "erased_at": datetime(2026, 5, 4, 10, 15, tzinfo=OSLO),
        "register_url": f"{_SITE}/meld-deg-pa",
    },
    "starter_assigned": {
        **_IN_PERSON,
        "meetings": [_FIRST_MEETING + timedelta(weeks=week) for week in range(3)],
        "meeting_start": _FIRST_MEETING,
        "duration_minutes": 120,
        "interval_weeks": 1,
        "member_count": 7,
        "replacement": False,
        "changed": False,
        "starter_url": f"{_SITE}/starter",
        "calendar_feed_url": f"{_SITE}/feeds/starters/Wq7rN2.ics",
    },
    "starter_reminder": {
        **_IN_PERSON,
        "meeting_start": datetime(2026, 3, 10, 18, 0, tzinfo=OSLO),
        "meeting_end": datetime(2026, 3, 10, 20, 0, tzinfo=OSLO),
        "starter_url": f"{_SITE}/starter",
    },
    "office_group_below_minimum": {
        "group_ref": "3f2a9c1e",
        "member_count": 3,
        "group_url": f"{_SITE}/staff/groups/3f2a9c1e-0000-4000-8000-000000000000",
    },
    "starter_absence": {
        "meeting_start": datetime(2026, 3, 10, 18, 0, tzinfo=OSLO),
        "group_ref": "3f2a9c1e",
        "replacements_url": f"{_SITE}/staff/replacements",
    },
    "starter_released": {"starter_meetings": 3},
}

SAMPLES |= DECISION_SAMPLES
