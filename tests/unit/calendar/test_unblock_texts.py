"""Why a group could not be scheduled and what would unblock it, for every code the scheduler gives, in
bokmål, nynorsk and English, with no English left on the other pages."""

import pytest

from services.calendar.unblock_texts import UNBLOCK_TEXTS, what_helps, why

pytestmark = pytest.mark.unit

PARAMS = {"slot": "tue_evening", "earliest": "17:00", "latest": "19:00", "size": 6, "places": "Bodø"}
FAILURES = {
    "no_member_municipality": {},
    "no_venue_registered": {"places": "Bodø"},
    "no_venue_with_room": {"accessible": True, "size": 6, "places": "Bodø"},
    "no_venue_open": {"accessible": False, "size": 6, "places": "Bodø", **PARAMS},
    "no_venue_free": {"accessible": False, **PARAMS, "meetings": 12, "first_date": "2027-01-12"},
    "no_starter": {"district": "nord", **PARAMS, "meetings": 3},
}
KNOWN = {**PARAMS, "meetings": 3, "first_date": ""}


def test_every_text_is_in_every_language():
    assert set(UNBLOCK_TEXTS["nb"]) == set(UNBLOCK_TEXTS["nn"]) == set(UNBLOCK_TEXTS["en"])


@pytest.mark.parametrize("code", sorted(FAILURES))
def test_each_failure_reads_in_each_language(code):
    failure = {"code": code, "params": FAILURES[code]}
    for language in ("nb", "nn", "en"):
        said = why(failure, "in English", language)
        assert said and "{" not in said and "in English" not in said
        for help_text in what_helps(failure, language, KNOWN):
            assert "{" not in help_text
    assert "tirsdager på kvelden" in why({"code": "no_starter", "params": FAILURES["no_starter"]}, None, "nb")
    assert "evening" not in " ".join(what_helps(failure, "nb", KNOWN))


def test_a_failure_stored_without_a_code_is_shown_in_its_words():
    assert why(None, "no venue at all", "en") == "Scheduling failed: no venue at all"
