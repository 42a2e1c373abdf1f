"""After signing in, each role lands on its own home: a bare sign-in (which asks for the staff overview)
takes a contact point to its home, while a page someone asked for is kept."""

from __future__ import annotations

import pytest

from shared.settings import Settings
from shared.web.roles import landing as landing_for
from shared.web.roles import role_home as home_for

pytestmark = pytest.mark.unit

SETTINGS = Settings(environment="development", grouping_url="http://g.test", registration_url="http://r.test")


def test_a_bare_sign_in_lands_on_the_roles_own_home() -> None:
    assert landing_for(SETTINGS, "http://g.test/staff", {"contact_point"}) == "http://g.test/contact"
    assert landing_for(SETTINGS, "http://g.test/staff/", {"contact_point"}) == "http://g.test/contact"
    assert landing_for(SETTINGS, "http://g.test/staff", {"staff"}) == "http://g.test/staff"


def test_a_page_asked_for_is_kept() -> None:
    asked = "http://r.test/contact/register"
    assert landing_for(SETTINGS, asked, {"contact_point"}) == asked
    assert landing_for(SETTINGS, "http://g.test/staff/pool", {"staff"}) == "http://g.test/staff/pool"


def test_staff_comes_first_and_an_unknown_role_gets_the_overview_which_says_why_not() -> None:
    assert home_for(SETTINGS, {"staff", "contact_point"}) == "http://g.test/staff"
    assert home_for(SETTINGS, {"no_role_of_ours"}) == "http://g.test/staff"
