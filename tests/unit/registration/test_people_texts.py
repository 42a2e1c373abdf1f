"""The people pages' words: the same keys in bokmål, nynorsk and English, a word for every kind of history
entry and every field a correction can change."""

from __future__ import annotations

import pytest

from services.registration import corrections, history
from services.registration.people_texts import PEOPLE_TEXTS

pytestmark = pytest.mark.unit


def shape(catalogue: dict) -> dict:
    return {k: shape(v) if isinstance(v, dict) else type(v) for k, v in catalogue.items()}


@pytest.mark.parametrize("language", ["nn", "en"])
def test_every_language_has_the_same_words(language):
    assert shape(PEOPLE_TEXTS[language]) == shape(PEOPLE_TEXTS["nb"])


@pytest.mark.parametrize("language", ["nb", "nn", "en"])
def test_every_history_kind_and_corrected_field_has_a_word(language):
    texts = PEOPLE_TEXTS[language]
    assert set(history.KINDS) <= set(texts["kinds"])
    assert set(corrections.FIELDS) <= set(texts["fields"])
