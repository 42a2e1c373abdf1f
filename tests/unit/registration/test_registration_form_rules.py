"""How the form's fields map to the API's rules, and the domain rules the form and import added."""

import pytest

from services.registration import domain
from services.registration.sign_up_form import form_field, iso_date
from shared.contracts import RegistrationDetails
from tests.support.factories import registration_body

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (["participant", "email"], "email"),
        (["participant", "name"], "name"),
        (["participant"], "contact"),  # neither e-mail nor mobile
        (["consent", "sensitive_data"], "consent"),
        (["availability", "0"], "availability"),
        (["birth_date"], "birth_date"),
        (["external_ref"], "form"),  # not on the form
        ([], "form"),
    ],
)
def test_a_problem_lands_at_the_form_field_it_belongs_to(path, field):
    assert form_field(path) == field


@pytest.mark.parametrize(
    ("typed", "iso"),
    [
        ("27.03.1985", "1985-03-27"),
        ("7.3.1985", "1985-03-07"),
        ("27/3/1985", "1985-03-27"),
        ("1985-03-27", "1985-03-27"),
    ],
)
def test_a_birth_date_may_be_typed_day_first(typed, iso):
    assert iso_date(f" {typed} ") == iso


def test_nonsense_is_left_for_the_validation_to_name():
    assert iso_date("yesterday") == "yesterday"


@pytest.mark.parametrize("name", ["Kari\x00", "Ola\ud800"])
def test_text_the_database_cannot_store_is_refused_with_a_reason(name):
    details = RegistrationDetails.model_validate(registration_body())
    details = details.model_copy(
        update={"participant": details.participant.model_copy(update={"name": name})}
    )
    [problem] = domain.unstorable_text(details)
    assert (problem.field, problem.code) == ("participant.name", "characters")


def test_availability_changes_keep_week_order_and_refuse_unknown_or_no_slots():
    assert domain.checked_availability(["sat_daytime", "mon_evening", "sat_daytime"]) == [
        "mon_evening",
        "sat_daytime",
    ]
    for slots in ([], ["noon"]):
        with pytest.raises(domain.RegistrationRefused) as refused:
            domain.checked_availability(slots)
        assert refused.value.problems[0].field == "availability"


def test_the_age_problem_has_a_code_a_page_can_word_itself():
    from datetime import date

    details = RegistrationDetails.model_validate(registration_body(birth_date="2010-01-01"))
    with pytest.raises(domain.RegistrationRefused) as refused:
        domain.check(details, date(2026, 11, 23))
    assert refused.value.problems[0].code == "too_young"
