"""The coded rules staff see when an arrangement is refused say the same as the planner's rules in words,
on any group; and each code reads in bokmål, nynorsk and English."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.grouping.arrange_texts import ARRANGE_TEXTS, render_breach, render_refusal
from services.grouping.arrangement_rules import rule_breaches, shared_slots
from services.grouping.domain import Person, PlanningRules
from services.grouping.planning.rules import member_violations
from shared.reference import district_of

pytestmark = pytest.mark.unit

AS_OF = date(2026, 3, 2)
PLACES = ("0301", "3201", "3101", "4601")
SLOTS = ("mon_evening", "tue_evening", "wed_daytime")


@st.composite
def people(draw) -> list[Person]:
    size = draw(st.integers(0, 10))
    group = []
    for index in range(size):
        place = draw(st.sampled_from(PLACES))
        group.append(
            Person(
                participant_id=f"p{index}" if draw(st.integers(0, 20)) else "p0",
                birth_date=date(AS_OF.year - draw(st.integers(16, 70)), 1, 15),
                gender=draw(st.sampled_from(("female", "male", "other"))),
                municipality=place,
                district=district_of(place),
                topic=draw(st.sampled_from(("grief", "anxiety"))),
                composition=draw(st.sampled_from(("any", "same_topic", "cross_topic"))),
                format=draw(st.sampled_from(("any", "in_person", "digital"))),
                availability=tuple(draw(st.sets(st.sampled_from(SLOTS), min_size=1))),
                single_gender=draw(st.booleans()),
                registered_at=datetime(2026, 1, 1) + timedelta(days=index),
            )
        )
    return group


@settings(max_examples=300, deadline=None)
@given(
    group=people(),
    slot=st.sampled_from(SLOTS),
    meeting_format=st.sampled_from(("in_person", "digital")),
    lone_gender=st.sampled_from(("soft", "hard")),
)
def test_coded_rules_agree_with_the_planners_rules(group, slot, meeting_format, lone_gender):
    rules = PlanningRules(lone_gender=lone_gender)
    in_words = member_violations(group, slot, meeting_format, rules, AS_OF)
    coded = rule_breaches(group, slot, meeting_format, rules, AS_OF)
    assert bool(in_words) == bool(coded), (in_words, coded)
    for language in ("nb", "nn", "en"):
        for found in coded:
            assert render_breach(found, language)


def test_every_code_has_words_in_every_language():
    assert set(ARRANGE_TEXTS["nb"]) == set(ARRANGE_TEXTS["nn"]) == set(ARRANGE_TEXTS["en"])


def test_a_refusal_reads_in_the_readers_language():
    old, young = (
        Person(
            "a",
            date(1950, 1, 1),
            "female",
            "0301",
            "oslo",
            "grief",
            "any",
            "any",
            ("tue_evening",),
            False,
            datetime(2026, 1, 1),
        ),
        Person(
            "b",
            date(2000, 1, 1),
            "male",
            "0301",
            "oslo",
            "grief",
            "any",
            "any",
            ("mon_evening",),
            False,
            datetime(2026, 1, 1),
        ),
    )
    found = rule_breaches([old, young], "tue_evening", "in_person", PlanningRules(), AS_OF)
    assert [f["code"] for f in found] == ["too_few", "age_span", "not_available"]
    assert "Aldersspennet ville blitt 50 år" in render_refusal("breaks_rules", found, "nb")
    assert "1 cannot meet on Tuesdays in the evening" in render_refusal("breaks_rules", found, "en")
    assert shared_slots([old, young]) == []
