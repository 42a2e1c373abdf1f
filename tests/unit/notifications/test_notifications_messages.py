"""The messages built from events render in every language with real contexts, links are signed per
purpose and person, the schedule arithmetic holds across DST, and SMS replies and errors are understood."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifications import decision_messages, membership_messages, messages, pages, starter_messages
from services.notifications.commands.absence import absence_event_id
from services.notifications.commands.deliveries import _json
from services.notifications.domain import (
    OSLO,
    is_absence_reply,
    next_occurrence,
    normalise_mobile,
    redact,
    respond_by,
    too_late,
)
from services.notifications.links import ABSENCE, INVITATION, PREFERENCES, Links
from services.notifications.rendering import LANGUAGES, MESSAGE_TYPES, render
from shared.auth import InvalidLink, verify_link
from shared.contracts import GroupBelowMinimum, StarterAbsenceReported, StarterAssigned, StarterReleased
from shared.settings import Settings

pytestmark = pytest.mark.unit

SETTINGS = Settings(signing_key="unit-test-key")
LINKS = Links(SETTINGS)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=OSLO)
FIRST = datetime(2026, 3, 10, 18, 0, tzinfo=OSLO)
MEMBERS = tuple(uuid.uuid4() for _ in range(5))
EVENT = uuid.uuid4()


def _group(**overrides) -> messages.Group:
    values = dict(
        group_id=uuid.uuid4(),
        state="started",
        district="innlandet",
        first_meeting=FIRST,
        venue_name="Hamar bibliotek",
        venue_address="Torggata 1, 2317 Hamar",
        starter_name="Ola",
        members=MEMBERS,
    )
    values.update(overrides)
    return messages.Group(**values)


def _every_message(group: messages.Group) -> list[messages.Message]:
    return [
        messages.registration_received(MEMBERS[0], EVENT, LINKS),
        messages.group_invitation(group, MEMBERS, EVENT, LINKS, today=NOW.date(), answer_days=7),
        *messages.group_started(group, EVENT, LINKS, now=NOW),
        messages.schedule_changed(group, EVENT, LINKS, occurrence=FIRST, new_start=FIRST + timedelta(days=1)),
        messages.schedule_changed(group, EVENT, LINKS, occurrence=None, new_start=FIRST + timedelta(days=7)),
        messages.meeting_cancelled(group, EVENT, FIRST, FIRST + timedelta(days=14)),
        messages.meeting_cancelled(group, EVENT, FIRST, None),
        messages.schedule_changed(group, EVENT, LINKS, paused_from=(FIRST + timedelta(days=7)).date()),
        messages.schedule_changed(group, EVENT, LINKS, last_day=(FIRST + timedelta(days=28)).date()),
        messages.meeting_reminder(group, MEMBERS, EVENT, LINKS, FIRST),
        messages.absence_notice(group, MEMBERS[1:], EVENT, MEMBERS[0], FIRST),
        messages.meeting_at_risk(group, MEMBERS, EVENT, LINKS, start=FIRST, absent=3, expected=2),
        messages.admission_vote_request(
            group, MEMBERS, EVENT, LINKS, request_id=uuid.uuid4(), vote_by=FIRST + timedelta(days=7)
        ),
        messages.admission_vote_request(
            group,
            MEMBERS,
            EVENT,
            LINKS,
            request_id=uuid.uuid4(),
            vote_by=FIRST + timedelta(days=7),
            wanted=2,
            candidates=4,
        ),
        membership_messages.newcomer_invitation(
            group, MEMBERS[0], EVENT, LINKS, next_meeting=FIRST, respond_by=FIRST - timedelta(days=1)
        ),
        membership_messages.newcomer_joined(group, MEMBERS[1:], EVENT, LINKS, FIRST),
        messages.member_left(group, MEMBERS[1:], EVENT, LINKS, leaver=MEMBERS[0], named=True),
        messages.member_left(group, MEMBERS[1:], EVENT, LINKS, leaver=MEMBERS[0], named=False),
        messages.group_below_minimum(group, MEMBERS[:3], EVENT, LINKS, members=3),
        messages.group_ended(group, EVENT, LINKS),
        messages.erasure_confirmed(MEMBERS[0], EVENT, LINKS, NOW),
        membership_messages.waiting_options(
            MEMBERS[0],
            EVENT,
            LINKS,
            [
                {"code": "more_times", "slots": ["tue_evening", "wed_daytime"], "municipality": ""},
                {"code": "digital", "slots": [], "municipality": ""},
                {"code": "cross_topic", "slots": [], "municipality": ""},
                {"code": "neighbour_municipality", "slots": [], "municipality": "Saltdal"},
            ],
        ),
        membership_messages.invitation_withdrawn(group, MEMBERS[0], EVENT, LINKS),
        *_decision_messages(group),
        *_starter_messages(group),
    ]


def _decision_messages(group: messages.Group) -> list[messages.Message]:
    pause = {"change": "pause", "from": "2026-12-20", "until": "2027-01-05"}
    about = (group.group_id, group.district, MEMBERS, EVENT, LINKS)
    return [
        decision_messages.decision_vote_request(
            *about, kind="below_minimum", proposal={}, deadline=FIRST + timedelta(days=7)
        ),
        decision_messages.decision_vote_request(
            *about, kind="change", proposal=pause, deadline=FIRST + timedelta(days=7)
        ),
        *(
            decision_messages.decision_outcome(
                *about, kind=kind, proposal=proposal, result=result, newcomers=newcomers
            )
            for kind, proposal, result, newcomers in [
                ("below_minimum", {}, "newcomers", 2),
                ("below_minimum", {}, "no_answer", None),
                ("change", {"change": "frequency", "interval_weeks": 2}, "yes", None),
                ("change", pause, "kept", None),
                ("merge", {"merge_with": str(uuid.uuid4())}, "yes", None),
            ]
        ),
        decision_messages.group_merged(group, MEMBERS[:2], EVENT, LINKS, FIRST),
        decision_messages.group_merged(group, MEMBERS[:2], EVENT, LINKS, None),
    ]


def _starter_messages(group: messages.Group) -> list[messages.Message]:
    """What a starter and its district office are told (issue 22, item 6), from the calendar's events."""
    starter = uuid.uuid4()
    assigned = StarterAssigned(
        group_id=group.group_id,
        district="innlandet",
        starter_id=starter,
        first_name="Ola",
        email="ola@example.org",
        meetings=[FIRST + timedelta(weeks=week) for week in range(3)],
        start_time=FIRST.time(),
        venue_name=group.venue_name,
        venue_address=group.venue_address,
        meeting_url=group.meeting_url,
        member_count=5,
        feed_path="/feeds/starters/abc.ics",
    )
    absent = StarterAbsenceReported(group_id=group.group_id, district="innlandet", meeting_start=FIRST)
    released = StarterReleased(group_id=group.group_id, district="innlandet", starters=[starter], meetings=3)
    base = SETTINGS.calendar_url
    return [
        starter_messages.starter_assigned(assigned, EVENT, base),
        starter_messages.starter_assigned(assigned.model_copy(update={"replacement": True}), EVENT, base),
        starter_messages.starter_assigned(assigned.model_copy(update={"changed": True}), EVENT, base),
        starter_messages.starter_reminder(group, starter, EVENT, FIRST, base),
        starter_messages.starter_absence(absent, EVENT, base),
        starter_messages.starter_released(released, EVENT),
        starter_messages.office_group_below_minimum(
            GroupBelowMinimum(group_id=group.group_id, district="innlandet", members=3), EVENT, base
        ),
    ]


def _as_stored(message: messages.Message, recipient: uuid.UUID) -> dict:
    """The context as the sender sees it: through JSON, plus the names added at send time."""
    context = json.loads(json.dumps(message.context(recipient), default=_json))
    names = {"absent_name": "Per Olav Hansen", "subject_name": "Per Olav Hansen"}
    return {**context, "name": "Kari Nordmann", **names}


GROUPS = {
    "in person": _group(),
    "digital, no starter": _group(
        venue_name=None, venue_address=None, meeting_url="https://m.example.no/x", starter_name=None
    ),
}


@pytest.mark.parametrize("kind", GROUPS)
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_built_from_events_renders_after_storage(kind: str, language: str) -> None:
    built = _every_message(GROUPS[kind])
    assert {m.message_type for m in built} == set(MESSAGE_TYPES) - {"registration_rejected"}
    for message in built:
        rendered = render(message.message_type, language, _as_stored(message, message.recipients[0]))
        assert "Kari" in rendered.text and "None" not in rendered.text, message.message_type


def test_a_pause_or_an_end_leaves_no_next_meeting_inside_it() -> None:
    weekly = _group()
    assert weekly.next_meeting(FIRST + timedelta(days=1)) == FIRST + timedelta(weeks=1)
    paused = _group(paused_from=(FIRST + timedelta(weeks=1)).date())
    assert paused.next_meeting(NOW) == FIRST  # before the pause: as before
    assert paused.next_meeting(FIRST + timedelta(days=1)) is None
    ended = _group(last_day=(FIRST + timedelta(weeks=2)).date())
    assert ended.next_meeting(FIRST + timedelta(days=8)) == FIRST + timedelta(weeks=2)  # the last day's own
    assert ended.next_meeting(FIRST + timedelta(days=15)) is None


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_pause_is_announced_as_a_pause_not_as_a_new_time(language: str) -> None:
    change = messages.schedule_changed(_group(), EVENT, LINKS, paused_from=date(2026, 3, 17))
    rendered = render("schedule_changed", language, _as_stored(change, MEMBERS[0]))
    assert {"nb": "tar pause", "nn": "tek pause", "en": "taking a break"}[language] in rendered.subject
    assert "17" in rendered.text and "2026" in rendered.text
    assert {"nb": "ny fast møtetid", "nn": "ny fast møtetid", "en": "new regular"}[
        language
    ] not in rendered.text
    assert "/absence" not in rendered.text and "None" not in rendered.sms  # no meeting to miss


def test_a_message_queued_before_the_pause_variables_existed_still_renders() -> None:
    stored = _as_stored(
        messages.schedule_changed(_group(), EVENT, LINKS, occurrence=None, new_start=FIRST), MEMBERS[0]
    )
    del stored["paused_from"], stored["last_day"]
    assert "Ny møtetid" in render("schedule_changed", "nb", stored).subject


def test_a_cancellation_names_the_next_meeting_the_calendar_gave() -> None:
    after_a_holiday = FIRST + timedelta(weeks=3)  # the calendar knows the two Tuesdays between are off
    cancelled = messages.meeting_cancelled(_group(), EVENT, FIRST, after_a_holiday)
    text = render("meeting_cancelled", "nb", _as_stored(cancelled, MEMBERS[0])).text
    assert "Neste møte er tirsdag 31. mars 2026" in text
    none_yet = messages.meeting_cancelled(_group(), EVENT, FIRST, None)
    assert "Du får beskjed" in render("meeting_cancelled", "nb", _as_stored(none_yet, MEMBERS[0])).text


def test_an_absence_notice_names_the_absent_person_only_by_reference() -> None:
    notice = messages.absence_notice(_group(), MEMBERS[1:], EVENT, MEMBERS[0], FIRST)
    assert notice.subject_id == MEMBERS[0]
    assert MEMBERS[0] not in notice.recipients
    assert str(MEMBERS[0]) not in json.dumps(notice.context(MEMBERS[1]), default=_json)


def test_someone_left_names_nobody_unless_they_said_goodbye() -> None:
    quiet = messages.member_left(_group(), MEMBERS[1:], EVENT, LINKS, leaver=MEMBERS[0], named=False)
    assert quiet.subject_id is None  # no name is looked up at sending, and none can be shown
    stored = json.dumps(quiet.context(MEMBERS[1]), default=_json)
    assert str(MEMBERS[0]) not in stored
    text = render("member_left", "nb", {**json.loads(stored), "name": "Kari Nordmann"})
    assert text.subject == "Noen har gått ut av gruppa" and "/leave/" in text.text
    goodbye = messages.member_left(_group(), MEMBERS[1:], EVENT, LINKS, leaver=MEMBERS[0], named=True)
    assert goodbye.subject_id == MEMBERS[0]
    named = render("member_left", "en", _as_stored(goodbye, MEMBERS[1]))
    assert named.subject == "Per has left the group" and "Hansen" not in named.text + named.sms
    assert "Per" not in named.sms  # no name typed by a person in an SMS


def test_the_invitation_names_no_other_member_and_counts_them() -> None:
    invitation = messages.group_invitation(_group(), MEMBERS, EVENT, LINKS, today=NOW.date(), answer_days=7)
    context = invitation.context(MEMBERS[0])
    assert context["member_count"] == 5
    stored = json.dumps(context, default=_json)
    assert not any(str(other) in stored for other in MEMBERS[1:])


def test_the_invitation_deadline_comes_from_grouping_when_given() -> None:
    deadline = datetime(2026, 3, 6, 23, 59, tzinfo=OSLO)
    invitation = messages.group_invitation(
        _group(respond_by=deadline), MEMBERS, EVENT, LINKS, today=NOW.date(), answer_days=7
    )
    assert invitation.context(MEMBERS[0])["respond_by"] == date(2026, 3, 6)


# --- links -------------------------------------------------------------------------------------------
def test_links_are_signed_for_one_purpose_and_one_person() -> None:
    person = MEMBERS[2]
    absence = urlsplit(LINKS.absence(person, FIRST))
    token = absence.path.rsplit("/", 1)[1]
    assert verify_link(SETTINGS.keyring(), ABSENCE, token) == person
    with pytest.raises(InvalidLink):
        verify_link(SETTINGS.keyring(), PREFERENCES, token)
    invitation = LINKS.invitation(person)
    assert invitation["accept_url"].startswith(SETTINGS.grouping_url + "/invitations/")
    assert verify_link(
        SETTINGS.keyring(), INVITATION, urlsplit(invitation["invitation_url"]).path.rsplit("/", 1)[1]
    )


def test_the_meeting_in_an_absence_link_round_trips_exactly() -> None:
    for start in (FIRST, FIRST.replace(tzinfo=None), datetime(2026, 7, 7, 18, 0, tzinfo=OSLO)):
        query = parse_qs(urlsplit(LINKS.absence(MEMBERS[0], start)).query)
        parsed = datetime.fromisoformat(query["meeting"][0].replace("Z", "+00:00"))
        assert parsed == (start if start.tzinfo else start.replace(tzinfo=OSLO))


def test_the_same_absence_has_the_same_event_id() -> None:
    assert absence_event_id(MEMBERS[0], FIRST) == absence_event_id(MEMBERS[0], FIRST.astimezone(UTC))
    assert absence_event_id(MEMBERS[0], FIRST) != absence_event_id(MEMBERS[1], FIRST)


# --- schedule ----------------------------------------------------------------------------------------
def test_the_next_meeting_keeps_its_wall_clock_time_across_the_dst_change() -> None:
    # Summer time starts 29 March 2026: the Tuesday after is still 18.00 in Oslo.
    after = datetime(2026, 3, 25, 12, 0, tzinfo=OSLO)
    following = next_occurrence(FIRST, 1, after)
    assert following == datetime(2026, 3, 31, 18, 0, tzinfo=OSLO)
    assert following.utcoffset() == timedelta(hours=2)


def test_the_next_meeting_is_the_first_when_the_series_has_not_begun() -> None:
    assert next_occurrence(FIRST, 1, NOW) == FIRST
    assert next_occurrence(FIRST, 1, FIRST) == FIRST


@given(st.integers(min_value=0, max_value=400), st.sampled_from([1, 2]))
def test_the_next_meeting_is_on_the_series_and_not_before_the_moment(days: int, interval: int) -> None:
    after = FIRST + timedelta(days=days, hours=1)
    found = next_occurrence(FIRST, interval, after)
    assert found.astimezone(UTC) >= after.astimezone(UTC)
    assert (found.time(), found.weekday()) == (FIRST.time(), FIRST.weekday())
    assert (found.date() - FIRST.date()).days % (7 * interval) == 0
    assert found - timedelta(weeks=interval) < after


def test_the_invitation_deadline_is_before_the_first_meeting() -> None:
    assert respond_by(date(2026, 3, 2), FIRST, 7) == date(2026, 3, 9)
    assert respond_by(date(2026, 2, 1), FIRST, 7) == date(2026, 2, 8)
    assert respond_by(date(2026, 3, 10), FIRST, 7) == date(2026, 3, 10)  # never in the past


# --- SMS replies and errors --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text", ["KAN IKKE", "kan ikke", " Kan ikke! ", "kan ikkje", "CANT", "can't", "Can’t."]
)
def test_absence_keywords_are_understood(text: str) -> None:
    assert is_absence_reply(text)


@pytest.mark.parametrize("text", ["", "hei", "kan komme", "jeg kan ikke i dag heller, men neste uke", "KAN"])
def test_other_replies_are_not_absences(text: str) -> None:
    assert not is_absence_reply(text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+4791234567", "+4791234567"),
        ("912 34 567", "+4791234567"),
        ("004741234567", "+4741234567"),
        ("4791234567", "+4791234567"),
        ("21234567", None),
        ("+46701234567", None),
    ],
)
def test_mobile_numbers_are_normalised_like_registration_stores_them(raw: str, expected: str | None) -> None:
    assert normalise_mobile(raw) == expected


def test_errors_stored_for_staff_carry_no_address_or_number() -> None:
    error = redact("550 5.1.1 <kari.nordmann+x@post.example.no>: unknown; sms to +47 912 34 567 failed")
    assert "kari" not in error and "912" not in error
    assert error.startswith("550 5.1.1")


# --- pages -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_absence_page_asks_with_a_form_that_works_without_javascript(language: str) -> None:
    html = pages.page(
        "absence", language, outcome="ask", when=pages.when(FIRST, language), action="/absence/t?m=1"
    )
    assert '<form method="post" action="/absence/t?m=1">' in html
    assert "<script" not in html
    assert f'<html lang="{language}">' in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_preferences_page_shows_the_choices(language: str) -> None:
    html = pages.page(
        "preferences",
        language,
        invalid=False,
        saved=True,
        action="/preferences/t",
        channel="sms",
        chosen_language=language,
        only_essential=True,
        missing=["sms"],
    )
    assert 'value="sms" checked' in html and f'value="{language}" checked' in html
    assert 'name="only_essential" value="yes" checked' in html


# --- too late ----------------------------------------------------------------------------------------
def test_a_notice_about_a_meeting_that_has_begun_is_too_late_but_other_messages_are_not() -> None:
    assert too_late("absence_notice", FIRST, FIRST)
    assert too_late("meeting_reminder", FIRST.replace(tzinfo=None), FIRST + timedelta(minutes=1))
    assert not too_late("absence_notice", FIRST, FIRST - timedelta(minutes=1))
    assert not too_late("schedule_changed", FIRST, FIRST + timedelta(days=1))
    assert not too_late("group_ended", None, FIRST)
