"""Reading a district office's spreadsheet: before anything touches the database."""

from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from services.registration import bulk_import
from shared.contracts import Envelope, RegistrationAccepted

pytestmark = pytest.mark.unit
KEY = b"test-identity-key"

GOOD = {
    "name": "Kari",
    "email": "kari@example.org",
    "birth_date": "12.04.1981",
    "gender": "female",
    "municipality": "301",
    "topic": "grief",
    "availability": "tue_evening; THU_EVENING",
    "single_gender": "ja",
    "consent_version": "2026-01",
    "consent_given_at": "2026-02-03",
}


def test_rows_are_numbered_as_the_spreadsheet_shows_them_whatever_the_separator(tmp_path):
    sheet = tmp_path / "s.csv"
    sheet.write_text("\ufeffName;Topic\nKari;grief\n\n;\nOla;anxiety\n", encoding="utf-8")
    rows, header = bulk_import.read_rows(sheet)
    assert header == ["name", "topic"]
    assert [(n, c["name"]) for n, c in rows] == [(2, "Kari"), (5, "Ola")]


def test_a_row_is_read_the_way_people_fill_in_spreadsheets():
    details = bulk_import.details_from_row(GOOD, "district_office", KEY)
    assert str(details.birth_date) == "1981-04-12"
    assert details.municipality == "0301"  # the leading zero the spreadsheet dropped
    assert details.availability == ["tue_evening", "thu_evening"]
    assert details.single_gender is True
    assert details.consent.sensitive_data is True and details.source.value == "district_office"


def test_a_row_without_its_own_reference_gets_a_stable_one():
    first = bulk_import.details_from_row(GOOD, "district_office", KEY).external_ref
    assert first == bulk_import.details_from_row(dict(GOOD), "district_office", KEY).external_ref
    assert first != bulk_import.details_from_row({**GOOD, "name": "Ola"}, "district_office", KEY).external_ref
    assert (
        bulk_import.details_from_row({**GOOD, "external_ref": "n-7"}, "district_office", KEY).external_ref
        == "n-7"
    )


def test_a_derived_reference_is_keyed_so_it_cannot_be_computed_from_the_details_alone():
    """Finding 1: an unkeyed SHA-256 of name, e-mail, mobile and birth date was computable by anyone."""
    import hashlib

    ours = bulk_import.details_from_row(GOOD, "district_office", KEY).external_ref
    assert ours != bulk_import.details_from_row(GOOD, "district_office", b"another-key").external_ref
    identity = "|".join(GOOD.get(c, "").strip().lower() for c in ("name", "email", "mobile", "birth_date"))
    assert ours != "import-" + hashlib.sha256(identity.encode()).hexdigest()[:32]
    with pytest.raises(ValueError, match="key"):
        bulk_import.details_from_row(GOOD, "district_office", b"")


@pytest.mark.parametrize(
    ("change", "error"),
    [
        ({"consent_version": ""}, bulk_import.RowRejected),
        ({"single_gender": "maybe"}, bulk_import.RowRejected),
        ({"email": "nope"}, ValidationError),
        ({"availability": ""}, ValidationError),
    ],
)
def test_a_bad_row_is_rejected(change, error):
    with pytest.raises(error):
        bulk_import.details_from_row({**GOOD, **change}, "district_office", KEY)


def test_the_events_staged_by_the_import_are_the_ones_the_service_stages():
    now = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    prepared = bulk_import.prepare(2, GOOD, "district_office", date(2026, 11, 23), now, KEY)
    accepted = next(e for e in prepared.events if e["event_type"] == "registration.accepted.v1")
    envelope = Envelope[RegistrationAccepted].model_validate_json(accepted["payload"])
    assert envelope.data.participant_id == prepared.participant_id
    assert envelope.source == "registration" and envelope.schema_version == 1
    assert envelope.event_id == accepted["event_id"] and envelope.occurred_at == now
    assert accepted["exchange"] == "selvhjelp.registration"
    assert prepared.row["district"] == "oslo-ost"
