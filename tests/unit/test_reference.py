import csv
import io
from importlib.resources import files

import pytest

from shared.reference import (
    District,
    Municipality,
    all_municipalities,
    are_neighbours,
    distance_km,
    district_of,
    districts,
    get_municipality,
)

pytestmark = pytest.mark.unit


def _csv(name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files("shared.reference").joinpath(name).read_text("utf-8"))))


def test_the_table_holds_the_357_municipalities_of_2026():
    municipalities = all_municipalities()
    assert len(municipalities) == 357
    assert len({m.number for m in municipalities}) == 357
    assert len({m.county_number for m in municipalities}) == 15


def test_a_municipality_is_found_by_its_number():
    assert get_municipality("0301") == Municipality("0301", "Oslo - Oslove", "03", "Oslo", "oslo-ost")
    assert get_municipality("1804").district == "nord"
    assert get_municipality("9999") is None


def test_every_municipality_has_a_centroid_and_no_centroid_is_orphaned():
    centroid_numbers = [row["municipality_number"] for row in _csv("centroids.csv")]
    assert len(centroid_numbers) == len(set(centroid_numbers))
    assert set(centroid_numbers) == {m.number for m in all_municipalities()}


def test_every_centroid_lies_in_mainland_norway():
    for row in _csv("centroids.csv"):
        assert 57.9 <= float(row["lat"]) <= 71.2, row
        assert 4.5 <= float(row["lon"]) <= 31.2, row


def test_every_county_belongs_to_exactly_one_district():
    county_rows = [row["county_number"] for row in _csv("districts.csv")]
    assert len(county_rows) == len(set(county_rows))
    assert set(county_rows) == {m.county_number for m in all_municipalities()}
    assert all(m.district for m in all_municipalities())


def test_a_district_has_one_name_on_every_row():
    names: dict[str, set[str]] = {}
    for row in _csv("districts.csv"):
        names.setdefault(row["district_id"], set()).add(row["district_name"])
    assert all(len(n) == 1 for n in names.values())


def test_the_seven_district_offices_and_their_counties():
    by_id = {d.id: d for d in districts()}
    assert set(by_id) == {"nord", "midt", "vest", "sor", "innlandet", "oslo-ost", "sorost"}
    assert by_id["nord"] == District("nord", by_id["nord"].name, ("18", "55", "56"))
    assert set(by_id["oslo-ost"].counties) == {"03", "32", "31"}
    assert set(by_id["sorost"].counties) == {"39", "40", "33"}
    assert by_id["nord"].name.startswith("Distriktskontor Nord")


def test_district_of_maps_a_municipality_to_its_office():
    assert district_of("0301") == "oslo-ost"
    assert district_of("4601") == "vest"
    assert district_of("5001") == "midt"
    assert district_of("3301") == "sorost"
    with pytest.raises(KeyError):
        district_of("0000")


def test_distances_match_known_figures_within_the_stated_accuracy():
    assert distance_km("0301", "0301") == 0.0
    assert distance_km("0301", "4601") == pytest.approx(305, abs=20)  # Oslo - Bergen
    assert distance_km("0301", "5001") == pytest.approx(392, abs=20)  # Oslo - Trondheim
    assert distance_km("0301", "3201") == pytest.approx(13, abs=10)  # Oslo - Bærum
    assert distance_km("0301", "4601") == distance_km("4601", "0301")


def test_neighbours_are_close_municipalities_of_the_same_district():
    assert are_neighbours("0301", "0301")
    assert are_neighbours("0301", "3201")  # Oslo and Bærum
    assert are_neighbours("1103", "1108")  # Stavanger and Sandnes
    assert not are_neighbours("0301", "4601")  # Oslo and Bergen
    # Drammen (sorost) and Asker (oslo-ost) are close but belong to different district offices.
    assert distance_km("3301", "3203") < 45
    assert not are_neighbours("3301", "3203")


def test_the_neighbour_radius_is_a_parameter():
    assert are_neighbours("0301", "3207")  # Oslo and Nordre Follo (Ski)
    assert not are_neighbours("0301", "3207", max_km=5)


def test_unknown_municipalities_are_a_key_error():
    with pytest.raises(KeyError):
        are_neighbours("0000", "0000")
    with pytest.raises(KeyError):
        distance_km("0301", "0000")
