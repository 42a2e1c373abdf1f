"""The three languages of the registration pages say the same things."""

import pytest

from services.registration.texts import TEXTS, error_message, long_date
from shared.contracts import SLOTS, Composition, Gender, MeetingFormat, Topic

pytestmark = pytest.mark.unit


def shape(value):
    if isinstance(value, dict):
        return {key: shape(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return len(value)
    return type(value).__name__


@pytest.mark.parametrize("language", ["nn", "en"])
def test_every_text_exists_in_every_language(language):
    assert shape(TEXTS[language]) == shape(TEXTS["nb"])


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_every_choice_of_the_vocabularies_has_a_label(language):
    texts = TEXTS[language]
    assert set(texts["topics"]) == {t.value for t in Topic}
    assert set(texts["genders"]) == {g.value for g in Gender}
    assert set(texts["compositions"]) == {c.value for c in Composition}
    assert set(texts["formats"]) == {f.value for f in MeetingFormat}
    assert {f"{d}_{p}" for d in texts["weekdays"] for p in texts["dayparts"]} == set(SLOTS)


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_the_frame_is_explained_with_its_numbers(language):
    frame = " ".join(TEXTS[language]["frame"])
    assert "4–8" in frame and "18" in frame


def test_an_error_has_a_specific_wording_when_there_is_one_and_a_general_one_otherwise():
    nb = TEXTS["nb"]
    assert error_message(nb, "birth_date", "too_young").startswith("Du må være 18 år")
    assert error_message(nb, "birth_date", "invalid").startswith("Skriv fødselsdatoen")
    assert error_message(nb, "name", "characters") == nb["errors"]["characters"]
    assert error_message(nb, "no-such-field") == nb["errors"]["form"]


def test_dates_are_written_as_each_language_writes_them():
    from datetime import date

    assert long_date(TEXTS["nb"], date(2026, 3, 27)) == "27. mars 2026"
    assert long_date(TEXTS["en"], date(2026, 3, 27)) == "27 March 2026"
