"""Every message renders in every language, stays short enough for SMS, escapes HTML, and never carries
the person's topic."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime

import jinja2
import pytest
from jinja2 import meta

from services.notifications.rendering import (
    ESSENTIAL,
    LANGUAGES,
    MESSAGE_TYPES,
    PARTS,
    REJECTION_REASONS,
    TEMPLATE_DIR,
    RenderedMessage,
    _environment,
    build_parser,
    preview_all,
    render,
    resolve_language,
    sample_context,
)

pytestmark = pytest.mark.unit

SMS_LIMIT = 320
EVERY_MESSAGE = [(message_type, language) for message_type in MESSAGE_TYPES for language in LANGUAGES]

# GSM 03.38 basic set plus its extension table: anything else forces UCS-2 and 70-character segments.
GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)


def parts(message: RenderedMessage) -> dict[str, str]:
    return {part: getattr(message, part) for part in PARTS}


@pytest.mark.parametrize(("message_type", "language"), EVERY_MESSAGE)
def test_every_message_renders_every_part(message_type: str, language: str) -> None:
    message = render(message_type, language, sample_context(message_type))

    for part, rendered in parts(message).items():
        assert rendered.strip(), f"{part} is empty"
        assert not re.search(r"\{\{|\}\}|\{%|%\}|\{#", rendered), f"template syntax left in {part}"
        assert "None" not in rendered, f"a missing value was printed in {part}"
    assert "\n" not in message.subject
    assert message.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{language}">' in message.html
    assert "Kari" in message.text
    # An SMS carries no text a person typed: the name chosen on the public form would let anyone send
    # words of their own to any number (issue 18, finding 6).
    assert "Kari" not in message.sms


@pytest.mark.parametrize(("message_type", "language"), EVERY_MESSAGE)
def test_sms_is_short_and_plain_gsm(message_type: str, language: str) -> None:
    sms = render(message_type, language, sample_context(message_type)).sms

    assert len(sms) <= SMS_LIMIT
    assert set(sms) <= GSM7, f"non-GSM characters {set(sms) - GSM7} make the SMS cost 2-3x"


def test_every_template_file_exists() -> None:
    for message_type, language in EVERY_MESSAGE:
        for suffix in PARTS.values():
            assert (TEMPLATE_DIR / language / f"{message_type}.{suffix}").is_file()


def test_essential_messages_are_known_types() -> None:
    assert ESSENTIAL <= set(MESSAGE_TYPES)
    assert ESSENTIAL == {
        "schedule_changed",
        "meeting_cancelled",
        "first_meeting",
        "group_merged",  # the moved members' new time and place: without it they would miss the meeting
        "group_invitation",
        "invitation_withdrawn",
        "newcomer_invitation",
        "absence_notice",
        "group_below_minimum",
        "erasure_confirmed",
        "registration_rejected",
        "registration_received",
        "starter_assigned",
        "starter_reminder",
        "starter_absence",
        "starter_released",
        "office_group_below_minimum",  # the district office's work, not a person's preference
    }


# --- the topic is sensitive ----------------------------------------------------------------------
CANARY = "KANARI-angst-etter-samlivsbrudd"


@pytest.mark.parametrize(("message_type", "language"), EVERY_MESSAGE)
def test_topic_never_reaches_a_message(message_type: str, language: str) -> None:
    context = {**sample_context(message_type), "topic": CANARY, "topic_text": CANARY}

    for part, rendered in parts(render(message_type, language, context)).items():
        assert CANARY not in rendered, f"topic leaked into {part}"


def test_no_template_refers_to_the_topic() -> None:
    environment = _environment()  # knows the custom filters, which parsing needs
    for path in TEMPLATE_DIR.rglob("*"):
        if path.is_file():
            used = meta.find_undeclared_variables(environment.parse(path.read_text(encoding="utf-8")))
            assert not {"topic", "topic_text"} & used, f"{path.relative_to(TEMPLATE_DIR)} uses the topic"


# --- escaping and missing values -----------------------------------------------------------------
@pytest.mark.parametrize("language", LANGUAGES)
def test_html_escapes_what_people_typed(language: str) -> None:
    context = {
        **sample_context("first_meeting"),
        "name": "<script>alert(1)</script> Nordmann",
        "venue_name": "Kafé & kultur",
        "absence_url": "https://selvhjelp.example.no/f?a=1&b=2",
    }
    message = render("first_meeting", language, context)

    assert "<script>" not in message.html
    assert "&lt;script&gt;" in message.html
    assert "Kafé &amp; kultur" in message.html
    assert 'href="https://selvhjelp.example.no/f?a=1&amp;b=2"' in message.html
    # Plain text and SMS are not HTML: they keep the characters as typed.
    assert "Kafé & kultur" in message.text
    assert "<script>" in message.text
    assert "<script>" not in message.sms and "alert" not in message.sms  # no name in an SMS at all


# Keys that only one branch of a template reads: the weekly interval is shown only when the whole series
# moves, and the sample moves a single occurrence.
ONLY_SOMETIMES_READ = {("schedule_changed", "interval_weeks")}
# Links added after messages of the type were queued: a message queued before renders without them.
ADDED_LATER = (
    {
        (message_type, key)
        for message_type in ("group_started", "first_meeting")
        for key in ("meetings_url", "calendar_feed_url")
    }
    | {
        (message_type, "leave_url")
        for message_type in (
            "group_started",
            "first_meeting",
            "schedule_changed",
            "meeting_reminder",
            "meeting_at_risk",
            "admission_vote_request",
        )
    }
    | {("admission_vote_request", "wanted"), ("admission_vote_request", "candidate_count")}
)


@pytest.mark.parametrize(
    ("message_type", "key"),
    [
        (message_type, key)
        for message_type in MESSAGE_TYPES
        for key in sample_context(message_type)
        if (message_type, key) not in ONLY_SOMETIMES_READ | ADDED_LATER
    ],
)
def test_a_missing_variable_is_an_error(message_type: str, key: str) -> None:
    context = sample_context(message_type)
    del context[key]

    with pytest.raises(jinja2.UndefinedError):
        render(message_type, "nb", context)


def test_printing_none_is_an_error() -> None:
    context = {**sample_context("meeting_reminder"), "venue_address": None}

    with pytest.raises(ValueError, match="None"):
        render("meeting_reminder", "nb", context)


def test_unknown_message_type_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown message type"):
        render("newsletter", "nb", {})


# --- language ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("asked", "resolved"),
    [("nb", "nb"), ("nn", "nn"), ("en", "en"), ("nn-NO", "nn"), ("EN_gb", "en"), ("se", "nb"), (None, "nb")],
)
def test_language_resolution(asked: str | None, resolved: str) -> None:
    assert resolve_language(asked) == resolved


def test_unknown_language_falls_back_to_bokmal() -> None:
    context = sample_context("meeting_reminder")

    assert render("meeting_reminder", "se", context) == render("meeting_reminder", "nb", context)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nb", ["tirsdag 3. mars 2026 kl. 18.00", "hver tirsdag", "2 timer"]),
        ("nn", ["tysdag 3. mars 2026 kl. 18.00", "kvar tysdag", "2 timar"]),
        ("en", ["Tuesday 3 March 2026 at 18:00", "every Tuesday", "2 hours"]),
    ],
)
def test_dates_and_times_are_written_the_local_way(language: str, expected: list[str]) -> None:
    text = render("group_invitation", language, sample_context("group_invitation")).text

    for phrase in expected:
        assert phrase in text


def test_times_are_shown_in_oslo_time_whatever_zone_they_come_in() -> None:
    winter = {**sample_context("meeting_cancelled"), "meeting_start": datetime(2026, 1, 6, 17, 0, tzinfo=UTC)}
    summer = {**sample_context("meeting_cancelled"), "meeting_start": datetime(2026, 7, 7, 16, 0, tzinfo=UTC)}

    assert "kl. 18.00" in render("meeting_cancelled", "nb", winter).sms
    assert "kl. 18.00" in render("meeting_cancelled", "nb", summer).sms


def test_dates_may_arrive_as_iso_strings_from_a_stored_json_context() -> None:
    context = sample_context("meeting_cancelled")
    as_json = {**context, "meeting_start": "2026-03-24T17:00:00+00:00", "next_meeting": "2026-03-31T18:00:00"}

    assert render("meeting_cancelled", "nb", as_json) == render("meeting_cancelled", "nb", context)


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nb", "1 time og 30 minutter"), ("nn", "1 time og 30 minutt"), ("en", "1 hour and 30 minutes")],
)
def test_durations_that_are_not_whole_hours(language: str, expected: str) -> None:
    context = {**sample_context("group_invitation"), "duration_minutes": 90}

    assert expected in render("group_invitation", language, context).text


# --- content the domain asks for -----------------------------------------------------------------
FRAME_AND_PRINCIPLES = {
    "nb": ["4 til 8", "Lederløs", "Lukket", "hver uke", "Taushetsplikt", "Meldeplikt", "Her og nå",
           "Herfra og fremover", "Snakke ut fra seg selv", "Prosess", "Ikke rådgiving", "taushetserklæring"],
    "nn": ["4 til 8", "Leiarlaus", "Lukka", "kvar veke", "Teieplikt", "Meldeplikt", "Her og no",
           "Herifrå og framover", "Snakke ut frå seg sjølv", "Prosess", "Ikkje rådgjeving", "teieplikterklæring"],
    "en": ["4 to 8", "Leaderless", "Closed", "every week", "Confidentiality", "Duty to notify", "Here and now",
           "From here and forward", "Speak from yourself", "Process", "No advice-giving",
           "confidentiality agreement"],
}  # fmt: skip


@pytest.mark.parametrize("language", LANGUAGES)
def test_invitation_explains_frame_principles_and_how_to_answer(language: str) -> None:
    context = sample_context("group_invitation")
    message = render("group_invitation", language, context)

    for phrase in FRAME_AND_PRINCIPLES[language]:
        assert phrase in message.text, phrase
        assert phrase in message.html, phrase
    for link in ("accept_url", "decline_url"):
        assert context[link] in message.text and context[link] in message.html
    assert context["invitation_url"] in message.sms
    assert context["venue_address"] in message.text


@pytest.mark.parametrize(
    ("language", "fortnightly"), [("nb", "annenhver"), ("nn", "annakvar"), ("en", "every other")]
)
def test_invitation_for_a_fortnightly_group(language: str, fortnightly: str) -> None:
    context = {**sample_context("group_invitation"), "interval_weeks": 2}

    assert fortnightly in render("group_invitation", language, context).text


@pytest.mark.parametrize("language", LANGUAGES)
def test_digital_meeting_shows_the_link_instead_of_a_venue(language: str) -> None:
    url = "https://meet.example.no/gruppe-42"
    context = {
        **sample_context("meeting_reminder"),
        "venue_name": None,
        "venue_address": None,
        "meeting_url": url,
    }
    message = render("meeting_reminder", language, context)

    assert url in message.text and url in message.html and url in message.sms


@pytest.mark.parametrize("language", LANGUAGES)
def test_absence_notice_names_the_absent_person_by_first_name_only(language: str) -> None:
    message = render("absence_notice", language, sample_context("absence_notice"))  # "Per Olav Hansen"

    for part, rendered in parts(message).items():
        if part != "sms":
            assert "Per" in rendered, part
        assert "Olav" not in rendered and "Hansen" not in rendered, part
    # The SMS names nobody: a name is text a person typed (issue 18, finding 6).
    assert "Per" not in message.sms


@pytest.mark.parametrize("language", LANGUAGES)
def test_reminder_has_a_cant_come_link_everywhere(language: str) -> None:
    context = sample_context("meeting_reminder")
    message = render("meeting_reminder", language, context)

    for part in ("text", "html", "sms"):
        assert context["absence_url"] in getattr(message, part)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("reason", [*REJECTION_REASONS, "some_future_code"])
def test_every_rejection_reason_is_explained(language: str, reason: str) -> None:
    context = {**sample_context("registration_rejected"), "reasons": [reason]}
    message = render("registration_rejected", language, context)

    assert len(message.sms) <= SMS_LIMIT
    assert context["register_url"] in message.text


def test_rejection_reasons_get_distinct_explanations() -> None:
    explanations = {
        render("registration_rejected", "nb", {**sample_context("registration_rejected"), "reasons": [r]}).sms
        for r in REJECTION_REASONS
    }
    assert len(explanations) == len(REJECTION_REASONS)


# --- previews ------------------------------------------------------------------------------------
def test_preview_writes_every_message_language_and_part(tmp_path) -> None:
    written = preview_all(tmp_path)

    assert len(written) == len(MESSAGE_TYPES) * len(LANGUAGES) * len(PARTS)
    assert all(path.stat().st_size > 0 for path in written)
    assert (tmp_path / "nn" / "group_invitation.html").is_file()


def test_preview_subcommand(tmp_path, capsys) -> None:
    parser = argparse.ArgumentParser(prog="selvhjelp notifications")
    build_parser(parser.add_subparsers(dest="command"))

    args = parser.parse_args(["preview", "--out", str(tmp_path)])

    assert args.func(args) == 0
    assert (tmp_path / "en" / "absence_notice.sms.txt").is_file()
    assert str(tmp_path) in capsys.readouterr().out


@pytest.mark.parametrize("message_type", ["group_started", "first_meeting"])
@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_ready_and_first_meeting_carry_the_meetings_page_and_calendar_feed(
    message_type: str, language: str
) -> None:
    context = sample_context(message_type)
    rendered = render(message_type, language, context)
    for part in (rendered.text, rendered.html):
        assert context["meetings_url"] in part and context["calendar_feed_url"] in part
    # Queued before the links existed: the message still renders, without them.
    old = {k: v for k, v in context.items() if k not in ("meetings_url", "calendar_feed_url")}
    assert "/meetings/" not in render(message_type, language, old).text
