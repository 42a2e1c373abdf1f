"""The shared vocabulary in words: every term named in bokmål, nynorsk and English; one check of slots;
one rule for texts a translation lacks."""

from __future__ import annotations

import pytest

from shared.contracts.vocabulary import SLOTS
from shared.texts import text, texts_for
from shared.vocabulary import LANGUAGES, NAMED_TERMS, checked_slots, slot_name, unknown_slots, weekday_name

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("kind", sorted(NAMED_TERMS))
def test_every_term_has_a_name_in_bokmal_nynorsk_and_english(kind):
    table, terms = NAMED_TERMS[kind]
    for language in LANGUAGES:
        missing = [str(term) for term in terms if not table[language].get(str(term))]
        assert not missing, f"{kind} in {language}: {missing}"


def test_weekdays_and_slots_in_words():
    assert [weekday_name(1, lang) for lang in LANGUAGES] == ["tirsdag", "tysdag", "Tuesday"]
    assert weekday_name("sun", "nn") == "sundag"
    assert slot_name("tue_evening", "nb") == "tirsdager på kvelden"
    assert slot_name("sat_daytime", "en") == "on Saturdays during the day"
    assert slot_name("tue_evening", "xx") == "tirsdager på kvelden"  # an unknown language reads bokmål
    assert all(slot_name(slot, lang) for slot in SLOTS for lang in LANGUAGES)


def test_slots_are_checked_in_one_place():
    assert checked_slots(["wed_evening", "mon_daytime", "wed_evening"]) == ["mon_daytime", "wed_evening"]
    assert unknown_slots(["tue_evening", "tue_night", "noon"]) == ["tue_night", "noon"]
    with pytest.raises(
        ValueError, match="unknown slot\\(s\\) tue_night; use weekday_part such as tue_evening"
    ):
        checked_slots(["tue_night"])


def test_a_text_a_translation_lacks_reads_bokmal():
    catalogue = {"nb": {"hello": "Hei, {name}", "bye": "Ha det"}, "nn": {"hello": "Hei, {name}"}, "en": {}}
    assert text(catalogue, "en", "hello", name="Ane") == "Hei, Ane"
    assert text(catalogue, "nn", "bye") == "Ha det"
    assert text(catalogue, None, "bye") == "Ha det"
    assert texts_for(catalogue, "nn") == {"hello": "Hei, {name}", "bye": "Ha det"}
