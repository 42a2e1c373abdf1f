"""The staff console's pure pieces: the "what would it take" hint, splitting a group in two valid ones,
the server-side SVG charts, and the sign-in hop's guard against open redirects."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from services.grouping.commands.staff import split_members
from services.grouping.hints import what_would_it_take
from services.grouping.planning.model import Person, PlanningRules
from shared.settings import Settings
from shared.web.staff import safe_next, session_hop_url
from shared.web.svg import bar_chart, line_chart

pytestmark = pytest.mark.unit
TODAY = date(2027, 3, 1)
RULES = PlanningRules()


def person(age: int, *, municipality: str = "1804", slots=("tue_evening",), gender: str = "female") -> Person:
    return Person(
        participant_id=str(uuid.uuid4()),
        birth_date=date(TODAY.year - age, 1, 1),
        gender=gender,
        municipality=municipality,
        district="nord",
        topic="grief",
        composition="any",
        format="in_person",
        availability=tuple(slots),
        single_gender=False,
        registered_at=datetime(2027, 1, 1, tzinfo=UTC),
    )


def test_the_hint_says_how_many_more_people_of_which_ages_where_and_when():
    alone = person(35)
    hint = what_would_it_take(alone, [alone, person(40)], RULES, TODAY)
    assert hint.startswith("2 personer til i alderen")
    assert "tirsdager på kvelden" in hint and "Bodø" in hint
    assert "25–50" in hint  # both fit a 15-year span: 40-15 .. 35+15


def test_the_hint_says_a_group_is_possible_when_enough_fit():
    people = [person(30 + i) for i in range(4)]
    assert "kan foreslås" in what_would_it_take(people[0], people, RULES, TODAY)


def test_people_far_away_or_at_other_times_do_not_count():
    alone = person(35)
    others = [person(35, municipality="0301"), person(36, slots=("mon_daytime",))]
    assert what_would_it_take(alone, [alone, *others], RULES, TODAY).startswith("3 personer til")


def test_a_group_of_eight_splits_into_two_valid_groups_by_age():
    members = [person(25 + 2 * i, gender="female" if i % 2 else "male") for i in range(8)]
    first, second = split_members(members, "tue_evening", "in_person", RULES, TODAY)
    assert len(first) >= RULES.min_size and len(second) >= RULES.min_size
    assert {p.participant_id for p in first} | {p.participant_id for p in second} == {
        p.participant_id for p in members
    }


def test_a_group_too_small_to_split_is_refused():
    members = [person(30 + i) for i in range(7)]
    assert split_members(members, "tue_evening", "in_person", RULES, TODAY) is None


def test_charts_are_accessible_svg_with_the_numbers_as_titles():
    bars = str(bar_chart([("0–7 d", 3), ("8–14 d", 0)], title="Ventetid"))
    assert bars.startswith("<svg") and 'role="img"' in bars and "<title>Ventetid</title>" in bars
    assert "0–7 d: 3" in bars
    lines = str(line_chart(["01.27", "02.27"], [("Bodø", [1, 2])], title="Grupper <per> kommune"))
    assert "Bodø, 02.27: 2" in lines and "&lt;per&gt;" in lines  # labels are escaped


def test_the_sign_in_hop_visits_every_service_and_never_leaves_them():
    settings = Settings()
    assert safe_next(settings, "https://evil.example/x") == f"{settings.grouping_url}/staff"
    assert (
        safe_next(settings, f"{settings.calendar_url}/staff/venues")
        == f"{settings.calendar_url}/staff/venues"
    )
    hop = session_hop_url(settings, "grouping", "T", f"{settings.grouping_url}/staff")
    assert hop.startswith(f"{settings.registration_url}/staff/session?token=T&then=")
    assert session_hop_url(settings, "notifications", "T", "back") == "back"
