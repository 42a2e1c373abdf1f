"""The participant pages ("I can't come", preferences) on the shared layout: its language switch keeps the
absence page's `meeting` parameter, and the page is in the language asked for."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from services.notifications import pages

pytestmark = pytest.mark.unit
MEETING = datetime(2027, 3, 2, 18, 0, tzinfo=ZoneInfo("Europe/Oslo"))


@pytest.mark.parametrize(
    ("language", "heading"),
    [("nb", "Kan du ikke komme?"), ("nn", "Kan du ikkje kome?"), ("en", "Can&#39;t come?")],
)
def test_the_absence_page_uses_the_shared_layout_and_keeps_the_meeting_on_the_language_links(
    language, heading
):
    html = pages.page(
        "absence",
        language,
        path="/absence/tok",
        keep_query="meeting=2027-03-02T18%3A00%3A00%2B01%3A00",
        outcome="ask",
        when=pages.when(MEETING, language),
        action="/absence/tok?meeting=x",
    )
    assert f'<html lang="{language}">' in html and f"<h1>{heading}</h1>" in html
    assert 'href="#main"' in html and "/static/style.css" in html  # the shared layout
    for code in ("nb", "nn", "en"):
        assert f'href="/absence/tok?meeting=2027-03-02T18%3A00%3A00%2B01%3A00&amp;lang={code}"' in html


def test_the_preferences_page_links_to_the_other_languages_without_a_query():
    html = pages.page(
        "preferences",
        "en",
        path="/preferences/tok",
        invalid=False,
        saved=False,
        action="/preferences/tok",
        channel="email",
        chosen_language="nb",
        only_essential=False,
        missing=[],
    )
    assert '<html lang="en">' in html and "<h1>Messages from us</h1>" in html
    assert 'href="/preferences/tok?lang=nn"' in html and 'value="nb" checked' in html
