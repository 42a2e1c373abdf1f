"""Staff API of the venue and starter registries, scoped to the staff member's district."""

from __future__ import annotations

import re
import uuid
from datetime import date, time
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field, field_validator, model_validator
from sqlalchemy import func, update

from shared.auth import StaffUser
from shared.contracts import Language

from . import queries, registry_changes
from .app import CalendarServiceDep
from .models import starters
from .queries import Weekday, district_of
from .registry import VENUE_KINDS, hours_to_json, parse_venue_csv
from .rules import WEEKDAY_CODES
from .store import upsert_venue
from .venues import TimeRange
from .web import Staff

registry = APIRouter(prefix="/api/v1/staff", tags=["venues and starters"])

VenueKind = Literal["library", "volunteer_centre", "healthy_life_centre", "school", "church", "other"]
assert set(VenueKind.__args__) == set(VENUE_KINDS) and set(Weekday.__args__) == set(WEEKDAY_CODES)  # type: ignore[attr-defined]


# Opening hours are Oslo wall-clock times without an offset: RFC 3339 "partial-time", not "time".
_WALL_CLOCK = {"format": "partial-time"}


# PostgreSQL text cannot hold NUL, and UTF-8 cannot encode a lone surrogate (JSON's "\ud800"): refused
# as a 422 at the door instead of failing as a 500 at the insert (found by the HTTP fuzzing test).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class StorableInput(BaseModel):
    """An input whose text fields are all storable."""

    @field_validator("*", mode="after")
    @classmethod
    def _storable(cls, value: Any) -> Any:
        if isinstance(value, str) and _UNSTORABLE.search(value):
            raise ValueError("contains a character that cannot be stored (NUL or a lone surrogate)")
        return value


class TimeSpan(BaseModel):
    start: time = Field(examples=["17:00"], json_schema_extra=_WALL_CLOCK)
    end: time = Field(examples=["21:00"], json_schema_extra=_WALL_CLOCK)

    @model_validator(mode="after")
    def _ends_after_start(self) -> TimeSpan:
        if self.end <= self.start:
            raise ValueError("a time span must end after it starts")
        return self


WeeklyHours = Annotated[
    dict[Weekday, list[TimeSpan]],
    Field(description="Per weekday the spans of clock time (Europe/Oslo); a missing weekday means closed."),
]


class VenueIn(StorableInput):
    municipality: str = Field(pattern=r"^\d{4}$", description="Municipality number, e.g. 1804 (Bodø).")
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(default="", max_length=300)
    kind: VenueKind
    capacity: int = Field(ge=1, le=500)
    accessible: bool = Field(description="Step-free access and an accessible toilet.")
    opening_hours: WeeklyHours
    blackout_dates: list[date] = Field(default_factory=list, description="Days the venue is closed.")


class VenueUpdate(StorableInput):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    kind: VenueKind | None = None
    capacity: int | None = Field(default=None, ge=1, le=500)
    accessible: bool | None = None
    opening_hours: WeeklyHours | None = None
    blackout_dates: list[date] | None = None
    active: bool | None = Field(default=None, description="Inactive venues get no new groups.")


class VenueOut(VenueIn):
    id: uuid.UUID
    district: str
    active: bool


class StarterIn(StorableInput):
    first_name: str = Field(min_length=1, max_length=100, description="Shown to the group's members.")
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    availability: WeeklyHours
    language: Language = Field(default=Language.nb, description="The language of the starter's e-mails.")


class StarterUpdate(StorableInput):
    first_name: str | None = Field(default=None, min_length=1, max_length=100)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)
    availability: WeeklyHours | None = None
    active: bool | None = None


class StarterOut(StarterIn):
    id: uuid.UUID
    district: str
    active: bool


class ImportProblem(BaseModel):
    line: int
    message: str


class ImportReport(BaseModel):
    created: int
    updated: int
    problems: list[ImportProblem]


# --- conversions ---------------------------------------------------------------------------------
def _hours_json(hours: dict[str, list[TimeSpan]]) -> dict[str, list[list[str]]]:
    return hours_to_json(
        {
            WEEKDAY_CODES.index(day): tuple(TimeRange(s.start, s.end) for s in spans)
            for day, spans in hours.items()
        }
    )


def _hours_out(stored: dict[str, list[list[str]]]) -> dict[str, list[TimeSpan]]:
    days = sorted(stored, key=WEEKDAY_CODES.index)  # JSONB does not keep the weekday order
    return {day: [TimeSpan(start=start, end=end) for start, end in stored[day]] for day in days}


def _venue_values(body: VenueIn | VenueUpdate) -> dict[str, Any]:
    values = body.model_dump(exclude_unset=True)
    if "opening_hours" in values and body.opening_hours is not None:
        values["opening_hours"] = _hours_json(body.opening_hours)
    if "blackout_dates" in values and body.blackout_dates is not None:
        values["blackout_dates"] = sorted(day.isoformat() for day in body.blackout_dates)
    return {key: value for key, value in values.items() if value is not None}


def _venue_out(row: Any) -> VenueOut:
    return VenueOut(
        id=row.id,
        municipality=row.municipality,
        district=row.district,
        name=row.name,
        address=row.address,
        kind=row.kind,
        capacity=row.capacity,
        accessible=row.accessible,
        opening_hours=_hours_out(row.opening_hours),
        blackout_dates=[date.fromisoformat(day) for day in row.blackout_dates],
        active=row.active,
    )


def _starter_out(row: Any) -> StarterOut:
    return StarterOut(
        id=row.id,
        district=row.district,
        first_name=row.first_name,
        email=row.email,
        availability=_hours_out(row.availability),
        active=row.active,
    )


def _require_my_municipality(municipality: str, user: StaffUser) -> str:
    district = district_of(municipality)
    if district is None:
        raise HTTPException(422, f"unknown municipality {municipality}")
    if district != user.district:
        raise HTTPException(403, f"municipality {municipality} belongs to another district office")
    return district


# --- venues --------------------------------------------------------------------------------------
@registry.get("/venues", response_model=list[VenueOut], summary="Venues in my district")
async def list_venues(
    request: Request,
    service: CalendarServiceDep,
    user: Staff,
    municipality: Annotated[str | None, Query(pattern=r"^\d{4}$")] = None,
    include_inactive: bool = False,
) -> list[VenueOut]:
    async with service.sessions() as session:
        rows = await queries.district_venues(
            session, user.district, municipality=municipality, include_inactive=include_inactive
        )
    return [_venue_out(row) for row in rows]


@registry.post("/venues", response_model=VenueOut, status_code=201, summary="Register a venue")
async def create_venue(body: VenueIn, request: Request, service: CalendarServiceDep, user: Staff) -> VenueOut:
    district = _require_my_municipality(body.municipality, user)
    async with service.transaction() as uow:
        row = await registry_changes.register_venue(uow.session, district, _venue_values(body))
    if row is None:
        raise HTTPException(409, "a venue with this name is already registered in the municipality")
    return _venue_out(row)


@registry.patch("/venues/{venue_id}", response_model=VenueOut, summary="Change a venue")
async def update_venue(
    venue_id: uuid.UUID, body: VenueUpdate, request: Request, service: CalendarServiceDep, user: Staff
) -> VenueOut:
    async with service.transaction() as uow:
        row = await registry_changes.change_venue(uow.session, venue_id, user.district, _venue_values(body))
    if row is None:
        raise HTTPException(404, "no such venue in your district")
    return _venue_out(row)


@registry.post(
    "/venues/import",
    response_model=ImportReport,
    summary="Import venues from CSV (created, or updated by municipality + name)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {
                    "schema": {"type": "string"},
                    "example": "municipality,name,address,kind,capacity,accessible,opening_hours,blackout_dates\n"
                    "1804,Stormyra bibliotek,Stormyrveien 1,library,12,yes,mon-thu 10:00-21:00; sat 10:00-15:00,"
                    "2027-05-17\n",
                }
            },
        }
    },
)
async def import_venues(request: Request, service: CalendarServiceDep, user: Staff) -> ImportReport:
    try:
        text = (await request.body()).decode("utf-8")
    except UnicodeDecodeError:
        raise HTTPException(422, "the CSV must be UTF-8") from None
    rows, problems = parse_venue_csv(text)
    report = ImportReport(
        created=0, updated=0, problems=[ImportProblem(line=p.line, message=p.message) for p in problems]
    )
    async with service.transaction() as uow:
        for line, row in rows:
            district = district_of(row.municipality)
            if district != user.district:
                where = "is unknown" if district is None else "belongs to another district office"
                report.problems.append(
                    ImportProblem(line=line, message=f"municipality {row.municipality} {where}")
                )
                continue
            created = await upsert_venue(uow.session, district, row)
            report.created += created
            report.updated += not created
    report.problems.sort(key=lambda problem: problem.line)
    return report


# --- starters ------------------------------------------------------------------------------------
@registry.get("/starters", response_model=list[StarterOut], summary="Starters (igangsettere) in my district")
async def list_starters(
    request: Request, service: CalendarServiceDep, user: Staff, include_inactive: bool = False
) -> list[StarterOut]:
    async with service.sessions() as session:
        rows = await queries.district_starters(session, user.district, include_inactive=include_inactive)
    return [_starter_out(row) for row in rows]


@registry.post("/starters", response_model=StarterOut, status_code=201, summary="Register a starter")
async def create_starter(
    body: StarterIn, request: Request, service: CalendarServiceDep, user: Staff
) -> StarterOut:
    async with service.transaction() as uow:
        row = await registry_changes.register_starter(
            uow.session,
            user.district,
            body.first_name,
            body.email,
            _hours_json(body.availability),
            language=body.language.value,
        )
    if row is None:
        raise HTTPException(409, "a starter with this email is already registered in your district")
    return _starter_out(row)


@registry.patch("/starters/{starter_id}", response_model=StarterOut, summary="Change a starter")
async def update_starter(
    starter_id: uuid.UUID, body: StarterUpdate, request: Request, service: CalendarServiceDep, user: Staff
) -> StarterOut:
    values = body.model_dump(exclude_unset=True, exclude_none=True)
    if body.availability is not None:
        values["availability"] = _hours_json(body.availability)
    async with service.transaction() as uow:
        row = (
            await uow.session.execute(
                update(starters)
                .where(starters.c.id == starter_id, starters.c.district == user.district)
                .values(**values, updated_at=func.now())
                .returning(starters)
            )
        ).one_or_none()
    if row is None:
        raise HTTPException(404, "no such starter in your district")
    return _starter_out(row)
