"""Reference tables shared by the services: municipalities, district offices, approximate centroids.

The data lives in CSV files next to this module (see README.md for sources); each file is read once.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

_EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Municipality:
    number: str
    name: str
    county_number: str
    county_name: str
    district: str


@dataclass(frozen=True)
class District:
    id: str
    name: str
    counties: tuple[str, ...]


def _rows(filename: str) -> list[dict[str, str]]:
    text = files(__package__).joinpath(filename).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@lru_cache(maxsize=1)
def _districts() -> tuple[District, ...]:
    names: dict[str, str] = {}
    counties: dict[str, list[str]] = {}
    for row in _rows("districts.csv"):
        district_id = row["district_id"].strip()
        names.setdefault(district_id, row["district_name"].strip())
        counties.setdefault(district_id, []).append(row["county_number"].strip())
    return tuple(District(id=d, name=names[d], counties=tuple(counties[d])) for d in names)


@lru_cache(maxsize=1)
def _district_by_county() -> dict[str, str]:
    return {county: district.id for district in _districts() for county in district.counties}


@lru_cache(maxsize=1)
def _municipalities() -> dict[str, Municipality]:
    by_county = _district_by_county()
    table: dict[str, Municipality] = {}
    for row in _rows("municipalities.csv"):
        county = row["county_number"].strip()
        number = row["municipality_number"].strip()
        table[number] = Municipality(
            number=number,
            name=row["name"].strip(),
            county_number=county,
            county_name=row["county_name"].strip(),
            # A county missing from districts.csv is a data error; the reference test catches it.
            district=by_county.get(county, ""),
        )
    return table


@lru_cache(maxsize=1)
def _centroids() -> dict[str, tuple[float, float]]:
    return {
        row["municipality_number"].strip(): (math.radians(float(row["lat"])), math.radians(float(row["lon"])))
        for row in _rows("centroids.csv")
    }


def get_municipality(number: str) -> Municipality | None:
    return _municipalities().get(number)


def all_municipalities() -> list[Municipality]:
    return list(_municipalities().values())


def districts() -> list[District]:
    return list(_districts())


def district_of(municipality_number: str) -> str:
    """The district office id covering a municipality; KeyError for an unknown number."""
    return _municipalities()[municipality_number].district


@lru_cache(maxsize=200_000)
def distance_km(a: str, b: str) -> float:
    """Great-circle (haversine) distance between two municipalities' approximate centres."""
    if a == b:
        return 0.0
    centroids = _centroids()
    lat1, lon1 = centroids[a]
    lat2, lon2 = centroids[b]
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def are_neighbours(a: str, b: str, max_km: float = 45.0) -> bool:
    """Close enough to meet in person: the same municipality, or the same district and ≤ max_km apart.

    Centroids are approximate (±10 km), so this is a rule of thumb, not a travel-time measure.
    """
    same_district = district_of(a) == district_of(b)  # KeyError for an unknown number, as district_of
    return a == b or (same_district and distance_km(a, b) <= max_km)
