"""The venue and starter registries over HTTP: district-scoped, validated, and importable from CSV."""

from __future__ import annotations

import pytest
from calendar_harness import calendar_settings, http_client, new_service, staff_headers

from services.calendar.sample import load_sample
from tests.support import running

pytestmark = pytest.mark.integration

VENUE = {
    "municipality": "1804",
    "name": "Stormyra bibliotek",
    "address": "Stormyrveien 1, 8006 Bodø",
    "kind": "library",
    "capacity": 12,
    "accessible": True,
    "opening_hours": {
        "tue": [{"start": "17:00", "end": "21:00"}],
        "wed": [{"start": "10:00", "end": "14:00"}],
    },
    "blackout_dates": ["2027-05-17"],
}


async def test_staff_register_list_and_change_venues_of_their_own_district(settings):
    service = new_service(calendar_settings(settings))
    nord, oslo = staff_headers(settings, "nord"), staff_headers(settings, "oslo-ost")
    async with running(service), http_client(service) as client:
        assert (await client.post("/api/v1/staff/venues", json=VENUE)).status_code == 401
        created = await client.post("/api/v1/staff/venues", json=VENUE, headers=nord)
        assert created.status_code == 201, created.text
        venue = created.json()
        assert venue["district"] == "nord" and venue["opening_hours"]["tue"] == [
            {"start": "17:00:00", "end": "21:00:00"}
        ]
        assert (await client.post("/api/v1/staff/venues", json=VENUE, headers=nord)).status_code == 409
        assert (await client.post("/api/v1/staff/venues", json=VENUE, headers=oslo)).status_code == 403
        bad_hours = {**VENUE, "name": "X", "opening_hours": {"tue": [{"start": "21:00", "end": "17:00"}]}}
        assert (await client.post("/api/v1/staff/venues", json=bad_hours, headers=nord)).status_code == 422

        assert [v["name"] for v in (await client.get("/api/v1/staff/venues", headers=nord)).json()] == [
            "Stormyra bibliotek"
        ]
        assert (await client.get("/api/v1/staff/venues", headers=oslo)).json() == []
        path = f"/api/v1/staff/venues/{venue['id']}"
        assert (await client.patch(path, json={"capacity": 6}, headers=oslo)).status_code == 404
        changed = await client.patch(path, json={"capacity": 6, "active": False}, headers=nord)
        assert changed.status_code == 200 and changed.json()["capacity"] == 6
        assert (await client.get("/api/v1/staff/venues", headers=nord)).json() == []
        listed = await client.get("/api/v1/staff/venues?include_inactive=true", headers=nord)
        assert [v["capacity"] for v in listed.json()] == [6]


async def test_venues_are_imported_from_csv_row_by_row(settings):
    service = new_service(calendar_settings(settings))
    nord = staff_headers(settings, "nord")
    csv = (
        "municipality,name,address,kind,capacity,accessible,opening_hours,blackout_dates\n"
        '1804,Stormyra bibliotek,Stormyrveien 1,library,12,yes,"tue-thu 17:00-21:00",2027-05-17\n'
        "1804,Frivilligsentralen,Storgata 2,volunteer_centre,10,no,mon 09:00-15:00,\n"
        "0301,Deichman Tøyen,Hagegata 1,library,8,yes,tue 17:00-21:00,\n"
        "1804,Uten kapasitet,,school,none,yes,,\n"
    )
    headers = {**nord, "Content-Type": "text/csv"}
    async with running(service), http_client(service) as client:
        first = await client.post("/api/v1/staff/venues/import", content=csv.encode(), headers=headers)
        again = await client.post("/api/v1/staff/venues/import", content=csv.encode(), headers=headers)
        listed = (await client.get("/api/v1/staff/venues", headers=nord)).json()
    assert first.status_code == 200, first.text
    assert first.json() == {
        "created": 2,
        "updated": 0,
        "problems": [
            {"line": 4, "message": "municipality 0301 belongs to another district office"},
            {"line": 5, "message": "capacity must be a whole number, not 'none'"},
        ],
    }
    assert again.json()["created"] == 0 and again.json()["updated"] == 2
    assert sorted(v["name"] for v in listed) == ["Frivilligsentralen", "Stormyra bibliotek"]
    library = next(v for v in listed if v["name"] == "Stormyra bibliotek")
    assert sorted(library["opening_hours"]) == ["thu", "tue", "wed"] and library["blackout_dates"] == [
        "2027-05-17"
    ]


async def test_starters_are_registered_per_district_and_the_sample_loads_once(settings):
    service = new_service(calendar_settings(settings))
    nord, oslo = staff_headers(settings, "nord"), staff_headers(settings, "oslo-ost")
    starter = {
        "first_name": "Randi",
        "email": "randi@example.org",
        "availability": {"tue": [{"start": "16:00", "end": "22:00"}]},
    }
    async with running(service), http_client(service) as client:
        created = await client.post("/api/v1/staff/starters", json=starter, headers=nord)
        assert created.status_code == 201 and created.json()["district"] == "nord"
        assert (await client.post("/api/v1/staff/starters", json=starter, headers=nord)).status_code == 409
        path = f"/api/v1/staff/starters/{created.json()['id']}"
        assert (await client.patch(path, json={"first_name": "R."}, headers=oslo)).status_code == 404
        assert (await client.patch(path, json={"first_name": "Randi M."}, headers=nord)).json()[
            "first_name"
        ] == "Randi M."

        assert await load_sample(service.sessions) == 10
        assert await load_sample(service.sessions) == 0
        names = [s["first_name"] for s in (await client.get("/api/v1/staff/starters", headers=oslo)).json()]
        venues = (await client.get("/api/v1/staff/venues?municipality=0301", headers=oslo)).json()
    assert names == ["Aisha", "Tor"]
    assert len(venues) == 3


async def test_text_that_cannot_be_stored_is_refused_as_bad_input_not_a_server_error(settings):
    """Found by the HTTP fuzzing test: NUL or a lone surrogate in a starter's name or e-mail was a 500 at the
    insert; now each is a 422 naming the field, and nothing is stored."""
    service = new_service(calendar_settings(settings))
    nord = staff_headers(settings, "nord")
    body = (
        '{"first_name": "\\u00fa\\u000e", "email": "o\\u0000x\\ud958@ab.no", "language": "nn",'
        ' "availability": {}}'
    )
    async with running(service), http_client(service) as client:
        refused = await client.post(
            "/api/v1/staff/starters", content=body, headers={**nord, "Content-Type": "application/json"}
        )
        assert refused.status_code == 422, refused.text
        assert "email" in refused.text
        listed = await client.get("/api/v1/staff/starters", headers=nord)
        assert listed.json() == []
