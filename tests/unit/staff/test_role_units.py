"""The pieces of the starter, national and operator roles that need no server: the verified e-mail that
finds a starter (ADR 0014), where each role lands after signing in, the national page's small counts and
the starter's calendar feed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from icalendar import Calendar

from services.calendar.starter_feed import StarterFeedMeeting, starter_feed
from services.grouping.national_pages import shown
from shared.auth import issue_staff_token, verify_staff_token
from shared.oidc import ClaimMapping, map_claims
from shared.settings import Settings
from shared.web.roles import landing, role_home

STARTER = {"sub": "igangsetter", "selvhjelp_roles": ["starter"], "selvhjelp_district": "nord"}


def test_the_verified_e_mail_claim_is_kept_lower_cased_and_an_unverified_one_is_dropped():
    user = map_claims({**STARTER, "email": "Ola@Example.org", "email_verified": True}, ClaimMapping())
    assert user is not None and user.email == "ola@example.org"
    # Providers that say nothing about verification (Entra ID work accounts) are taken as they are.
    assert map_claims({**STARTER, "email": "ola@example.org"}, ClaimMapping()).email == "ola@example.org"
    unverified = map_claims({**STARTER, "email": "ola@example.org", "email_verified": False}, ClaimMapping())
    assert unverified is not None and unverified.email == ""
    custom = map_claims({**STARTER, "upn": "ola@example.org"}, ClaimMapping(email="upn"))
    assert custom.email == "ola@example.org"


def test_the_session_token_carries_the_e_mail():
    keyring = Settings(environment="development").keyring()
    token = issue_staff_token(keyring, "igangsetter", "nord", ["starter"], email="ola@example.org")
    assert verify_staff_token(keyring, token).email == "ola@example.org"
    assert verify_staff_token(keyring, issue_staff_token(keyring, "a", "nord", ["staff"])).email == ""


def test_each_role_lands_on_its_home_unless_a_page_was_asked_for():
    settings = Settings(environment="development")
    g, c = settings.grouping_url, settings.calendar_url
    assert role_home(settings, {"staff"}) == f"{g}/staff"
    assert role_home(settings, {"starter"}) == f"{c}/starter"
    assert role_home(settings, {"national"}) == f"{g}/national"
    assert role_home(settings, {"operator"}) == f"{g}/operator"
    assert role_home(settings, {"operator", "staff"}) == f"{g}/staff"  # several roles: the first
    assert landing(settings, f"{g}/staff", {"starter"}) == f"{c}/starter"  # the default means "none asked"
    assert landing(settings, f"{c}/staff/venues", {"starter"}) == f"{c}/staff/venues"


def test_small_counts_on_the_national_page_are_hidden():
    assert [shown(n) for n in (0, 1, 4, 5, 120)] == ["0", "<5", "<5", "5", "120"]


def test_a_starters_feed_has_one_private_event_per_meeting_and_cancels_those_it_cannot_come_to():
    group = uuid.uuid4()
    meetings = [
        StarterFeedMeeting(
            group, datetime(2027, 1, 5, 16, tzinfo=UTC), datetime(2027, 1, 5, 18, tzinfo=UTC), "Bodø"
        ),
        StarterFeedMeeting(
            group, datetime(2027, 1, 12, 16, tzinfo=UTC), datetime(2027, 1, 12, 18, tzinfo=UTC), "Bodø", True
        ),
    ]
    stamp = datetime(2026, 12, 1, tzinfo=UTC)
    body = starter_feed(meetings, stamp=stamp)
    assert body == starter_feed(meetings, stamp=stamp)  # the same feed for the same meetings
    events = Calendar.from_ical(body).walk("VEVENT")
    assert [str(e["status"]) for e in events] == ["CONFIRMED", "CANCELLED"]
    assert {str(e["class"]) for e in events} == {"PRIVATE"}
    assert {str(e["summary"]) for e in events} == {"Selvhjelpsgruppe"}  # never the topic
    assert len({str(e["uid"]) for e in events}) == 2
