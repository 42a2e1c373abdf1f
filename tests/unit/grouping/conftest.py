from datetime import date, datetime, timedelta
from itertools import count

import pytest

from services.grouping.domain import Person

AS_OF = date(2026, 3, 2)
_ids = count(1)


def person(
    *,
    age: int = 40,
    gender: str = "female",
    municipality: str = "0301",
    district: str | None = None,
    topic: str = "grief",
    composition: str = "any",
    format: str = "any",
    availability: tuple[str, ...] = ("tue_evening",),
    single_gender: bool = False,
    waited_days: int = 30,
    participant_id: str | None = None,
) -> Person:
    """A person in the waiting pool with sensible defaults; `age` is in completed years on AS_OF."""
    from shared.reference import district_of

    return Person(
        participant_id=participant_id or f"p{next(_ids):04d}",
        birth_date=date(AS_OF.year - age, 1, 15) if age else AS_OF,
        gender=gender,
        municipality=municipality,
        district=district or district_of(municipality),
        topic=topic,
        composition=composition,
        format=format,
        availability=availability,
        single_gender=single_gender,
        registered_at=datetime(2026, 3, 1, 12) - timedelta(days=waited_days),
    )


@pytest.fixture
def make_person():
    return person


@pytest.fixture
def as_of() -> date:
    return AS_OF
