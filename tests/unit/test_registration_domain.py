from datetime import UTC, date, datetime

import pytest

from services.registration import domain
from shared.contracts import RegistrationDetails
from tests.support.factories import registration_body

pytestmark = pytest.mark.unit
KEY = b"test-identity-key"


def details(**overrides):
    return RegistrationDetails.model_validate(registration_body(**overrides))


def test_age_counts_whole_years_on_the_day():
    assert domain.age_on(date(2008, 11, 23), date(2026, 11, 23)) == 18
    assert domain.age_on(date(2008, 11, 24), date(2026, 11, 23)) == 17


def test_a_person_under_18_is_refused_with_a_clear_reason():
    with pytest.raises(domain.RegistrationRefused) as refused:
        domain.check(details(birth_date="2008-11-24"), date(2026, 11, 23))
    assert refused.value.problems[0].field == "birth_date"
    assert "18 or older" in refused.value.problems[0].message


def test_an_unknown_municipality_is_refused_and_every_problem_is_reported():
    with pytest.raises(domain.RegistrationRefused) as refused:
        domain.check(details(birth_date="2010-01-01", municipality="9999"), date(2026, 11, 23))
    assert [p.field for p in refused.value.problems] == ["birth_date", "municipality"]


def test_an_accepted_registration_is_placed_in_the_district_covering_the_municipality():
    assert domain.check(details(municipality="1804"), date(2026, 11, 23)) == "nord"
    assert domain.check(details(municipality="0301"), date(2026, 11, 23)) == "oslo-ost"


def test_the_accepted_event_carries_no_contact_data():
    event = domain.accepted_event(
        domain.participant_id_for("self", None, KEY),
        details(),
        "nord",
        datetime(2026, 11, 23, 9, 30, tzinfo=UTC),
    )
    dumped = event.model_dump_json()
    assert "kari@example.org" not in dumped and "Kari" not in dumped


def test_external_registrations_get_a_stable_id_from_their_reference():
    assert domain.participant_id_for("external", "k-1", KEY) == domain.participant_id_for(
        "external", "k-1", KEY
    )
    assert domain.participant_id_for("external", "k-1", KEY) != domain.participant_id_for(
        "external", "k-2", KEY
    )


def test_the_id_from_a_reference_is_keyed_so_knowing_the_reference_is_not_knowing_the_id():
    """Finding 1: the id was uuid5 of the reference, computable by anyone who knew the reference."""
    import uuid

    ours = domain.participant_id_for("external", "p1-ok-5", KEY)
    assert ours != domain.participant_id_for("external", "p1-ok-5", b"another-key")
    assert ours != uuid.uuid5(uuid.NAMESPACE_URL, "selvhjelp:registration:external:p1-ok-5")
    assert ours.version == 8
    with pytest.raises(ValueError, match="key"):
        domain.participant_id_for("external", "p1-ok-5", b"")
