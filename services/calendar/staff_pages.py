"""Calendar's pages: for staff a group's schedule with its changes (frequency, weekly time, pause, resume,
end, schedule again), venues and starters (register, edit, CSV import, bookings); for a member the page
of their meetings with the calendar subscription link (same signed token as the feed).

Staff forms call the same functions as the JSON staff API, so the rules and refusals are the same.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert

from shared.auth import InvalidLink
from shared.clock import norway_today
from shared.reference import all_municipalities, get_municipality
from shared.web import choose_language, create_environment, page, redirect
from shared.web.staff import staff_page
from shared.web_auth import StaffPageUser

from . import schedule_api
from .config import PARTICIPANT_FEED
from .models import groups, memberships, starters, venue_bookings, venues
from .plan import meetings_between
from .registry import (
    VENUE_KINDS,
    hours_to_json,
    parse_dates_text,
    parse_hours_text,
    parse_venue_csv,
)
from .registry_api import _district_of, _upsert_venue
from .rules import WEEKDAY_CODES
from .staff_texts import AT, KIND_NAMES, STAFF_TEXTS, STATUS_NAMES, WEEKDAY_NAMES
from .store import load_series, load_venue
from .web import config_of, service_of

environment = create_environment(Path(__file__).parent / "templates")
calendar_pages = APIRouter(include_in_schema=False)
OSLO = ZoneInfo("Europe/Oslo")


def _oslo(moment: datetime, language: str = "nb") -> str:
    return moment.astimezone(OSLO).strftime(f"%d.%m.%Y {AT[language]} %H:%M")


def _hours_text(stored: dict[str, list[list[str]]]) -> str:
    return "; ".join(
        f"{day} " + ", ".join(f"{a}-{b}" for a, b in stored[day])
        for day in sorted(stored, key=WEEKDAY_CODES.index)
    )


def _texts(request: Request) -> tuple[str, dict[str, str]]:
    """The reader's language (`?lang=`, cookie, bokmål) and this service's console words in it."""
    language = choose_language(request)
    return language, STAFF_TEXTS[language]


def _globals(language: str) -> dict[str, Any]:
    return {
        "t": STAFF_TEXTS[language],
        "weekday_names": WEEKDAY_NAMES[language],
        "kind_names": KIND_NAMES[language],
        "status_names": STATUS_NAMES[language],
        "oslo": lambda moment: _oslo(moment, language),
        "municipality": lambda n: get_municipality(n).name if get_municipality(n) else n,
    }


def _messages(request: Request) -> dict[str, Any]:
    q = request.query_params
    return {"flash": q.get("done") or "", "errors": [q.get("error")] if q.get("error") else []}


# --- a group's schedule -----------------------------------------------------------------------------
@calendar_pages.get("/staff/groups/{group_id}")
async def group_schedule_page(group_id: uuid.UUID, request: Request, user: StaffPageUser) -> Response:
    schedule = await schedule_api._schedule(request, group_id, user.district)
    grouping = service_of(request).settings.grouping_url
    language, t = _texts(request)
    return staff_page(
        environment,
        "staff/schedule.html",
        request,
        user,
        "groups",
        language=language,
        page_title=t["schedule_title"],
        s=schedule,
        today=norway_today().isoformat(),
        grouping_url=grouping,
        calendar_url=service_of(request).settings.calendar_url,
        **_messages(request),
        **_globals(language),
    )


async def _schedule_change(request: Request, user, group_id: uuid.UUID, call, done: str) -> Response:
    """`done` names the confirmation (`done_<done>` in staff_texts), shown in the reader's language."""
    language, t = _texts(request)
    try:
        await call()
    except HTTPException as refused:
        detail = refused.detail if isinstance(refused.detail, str) else t["invalid_change"]
        return redirect(request, f"/staff/groups/{group_id}?" + urlencode({"error": detail}), language)
    return redirect(request, f"/staff/groups/{group_id}?" + urlencode({"done": t[f"done_{done}"]}), language)


@calendar_pages.post("/staff/groups/{group_id}/frequency")
async def change_frequency(
    group_id: uuid.UUID,
    request: Request,
    user: StaffPageUser,
    from_date: Annotated[date, Form()],
    interval_weeks: Annotated[int, Form(ge=1, le=2)],
) -> Response:
    body = schedule_api.FrequencyChange(from_date=from_date, interval_weeks=interval_weeks)
    return await _schedule_change(
        request,
        user,
        group_id,
        lambda: schedule_api.switch_frequency(group_id, body, request, user),
        "frequency",
    )


@calendar_pages.post("/staff/groups/{group_id}/weekly-time")
async def change_weekly_time(
    group_id: uuid.UUID,
    request: Request,
    user: StaffPageUser,
    from_date: Annotated[date, Form()],
    weekday: Annotated[str, Form()] = "",
    start_time: Annotated[str, Form()] = "",
) -> Response:
    try:
        body = schedule_api.WeeklyTimeChange(
            from_date=from_date,
            weekday=weekday or None,
            start_time=time.fromisoformat(start_time) if start_time else None,
        )
    except ValueError:
        language, t = _texts(request)
        return redirect(
            request,
            f"/staff/groups/{group_id}?" + urlencode({"error": t["invalid_day_or_time"]}),
            language,
        )
    return await _schedule_change(
        request,
        user,
        group_id,
        lambda: schedule_api.move_weekly_time(group_id, body, request, user),
        "weekly_time",
    )


@calendar_pages.post("/staff/groups/{group_id}/pause")
async def pause_group(
    group_id: uuid.UUID, request: Request, user: StaffPageUser, from_date: Annotated[date, Form()]
) -> Response:
    body = schedule_api.PauseRequest(from_date=from_date)
    return await _schedule_change(
        request,
        user,
        group_id,
        lambda: schedule_api.pause(group_id, body, request, user),
        "pause",
    )


@calendar_pages.post("/staff/groups/{group_id}/resume")
async def resume_group(
    group_id: uuid.UUID, request: Request, user: StaffPageUser, from_date: Annotated[date, Form()]
) -> Response:
    body = schedule_api.ResumeRequest(from_date=from_date)
    return await _schedule_change(
        request,
        user,
        group_id,
        lambda: schedule_api.resume(group_id, body, request, user),
        "resume",
    )


@calendar_pages.post("/staff/groups/{group_id}/end")
async def end_group(
    group_id: uuid.UUID, request: Request, user: StaffPageUser, on_date: Annotated[date, Form()]
) -> Response:
    body = schedule_api.EndRequest(on_date=on_date)
    return await _schedule_change(
        request,
        user,
        group_id,
        lambda: schedule_api.end(group_id, body, request, user),
        "end",
    )


@calendar_pages.post("/staff/groups/{group_id}/schedule")
async def schedule_group_again(group_id: uuid.UUID, request: Request, user: StaffPageUser) -> Response:
    return await _schedule_change(
        request,
        user,
        group_id,
        lambda: schedule_api.schedule_again(group_id, request, user),
        "schedule",
    )


# --- venues and starters ----------------------------------------------------------------------------
@calendar_pages.get("/staff/venues")
async def venues_page(request: Request, user: StaffPageUser) -> Response:
    now = datetime.now(UTC)
    async with service_of(request).sessions() as session:
        venue_rows = (
            await session.execute(
                select(venues)
                .where(venues.c.district == user.district)
                .order_by(venues.c.municipality, venues.c.name)
            )
        ).all()
        starter_rows = (
            await session.execute(
                select(starters).where(starters.c.district == user.district).order_by(starters.c.first_name)
            )
        ).all()
        bookings = (
            await session.execute(
                select(
                    venue_bookings.c.venue_id,
                    func.count().label("upcoming"),
                    func.min(func.lower(venue_bookings.c.during)).label("next"),
                    func.count(func.distinct(venue_bookings.c.group_id)).label("groups"),
                )
                .join(venues, venues.c.id == venue_bookings.c.venue_id)
                .where(venues.c.district == user.district, func.lower(venue_bookings.c.during) >= now)
                .group_by(venue_bookings.c.venue_id)
            )
        ).all()
    mine = sorted((m for m in all_municipalities() if m.district == user.district), key=lambda m: m.name)
    language, t = _texts(request)
    return staff_page(
        environment,
        "staff/venues.html",
        request,
        user,
        "venues",
        language=language,
        page_title=t["venues_title"],
        venues=venue_rows,
        starters=starter_rows,
        bookings={b.venue_id: b for b in bookings},
        hours_text=_hours_text,
        municipalities=mine,
        kinds=VENUE_KINDS,
        **_messages(request),
        **_globals(language),
    )


def _venue_form_values(
    t: dict[str, str],
    name: str,
    address: str,
    kind: str,
    capacity: str,
    accessible: str | None,
    opening_hours: str,
    blackout_dates: str,
) -> tuple[dict[str, Any], list[str]]:
    errors: list[str] = []
    if not name.strip():
        errors.append(t["error_name"])
    if kind not in VENUE_KINDS:
        errors.append(t["error_kind"])
    try:
        places = int(capacity)
        if not 1 <= places <= 500:
            raise ValueError
    except ValueError:
        places = 0
        errors.append(t["error_capacity"])
    try:
        hours = hours_to_json(parse_hours_text(opening_hours))
    except ValueError as error:
        hours = {}
        errors.append(t["error_hours"].format(error=error))
    try:
        closed = sorted(day.isoformat() for day in parse_dates_text(blackout_dates))
    except ValueError as error:
        closed = []
        errors.append(t["error_closed"].format(error=error))
    values = {
        "name": name.strip(),
        "address": address.strip(),
        "kind": kind,
        "capacity": places,
        "accessible": accessible == "yes",
        "opening_hours": hours,
        "blackout_dates": closed,
    }
    return values, errors


@calendar_pages.post("/staff/venues")
async def register_venue(
    request: Request,
    user: StaffPageUser,
    municipality: Annotated[str, Form()] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    address: Annotated[str, Form(max_length=300)] = "",
    kind: Annotated[str, Form()] = "",
    capacity: Annotated[str, Form()] = "",
    accessible: Annotated[str | None, Form()] = None,
    opening_hours: Annotated[str, Form()] = "",
    blackout_dates: Annotated[str, Form()] = "",
) -> Response:
    language, t = _texts(request)
    values, errors = _venue_form_values(
        t, name, address, kind, capacity, accessible, opening_hours, blackout_dates
    )
    if _district_of(municipality) != user.district:
        errors.insert(0, t["error_municipality"])
    if errors:
        return redirect(request, "/staff/venues?" + urlencode({"error": " ".join(errors)}), language)
    async with service_of(request).transaction() as uow:
        created = (
            await uow.session.execute(
                insert(venues)
                .values(id=uuid.uuid4(), district=user.district, municipality=municipality, **values)
                .on_conflict_do_nothing(index_elements=["municipality", "name"])
                .returning(venues.c.id)
            )
        ).scalar_one_or_none()
    if created is None:
        return redirect(
            request,
            "/staff/venues?" + urlencode({"error": t["error_venue_exists"]}),
            language,
        )
    done = t["done_registered"].format(name=values["name"])
    return redirect(request, "/staff/venues?" + urlencode({"done": done}), language)


@calendar_pages.get("/staff/venues/{venue_id}")
async def venue_page(venue_id: uuid.UUID, request: Request, user: StaffPageUser) -> Response:
    async with service_of(request).sessions() as session:
        venue = (
            await session.execute(
                select(venues).where(venues.c.id == venue_id, venues.c.district == user.district)
            )
        ).one_or_none()
        if venue is None:
            raise HTTPException(404, "no such venue in your district")
        bookings = (
            await session.execute(
                select(venue_bookings.c.group_id, func.lower(venue_bookings.c.during).label("start"))
                .where(
                    venue_bookings.c.venue_id == venue_id,
                    func.lower(venue_bookings.c.during) >= datetime.now(UTC),
                )
                .order_by("start")
                .limit(30)
            )
        ).all()
    language = choose_language(request)
    return staff_page(
        environment,
        "staff/venue.html",
        request,
        user,
        "venues",
        language=language,
        page_title=venue.name,
        v=venue,
        bookings=bookings,
        hours_text=_hours_text,
        kinds=VENUE_KINDS,
        grouping_url=service_of(request).settings.grouping_url,
        **_messages(request),
        **_globals(language),
    )


@calendar_pages.post("/staff/venues/{venue_id}")
async def edit_venue(
    venue_id: uuid.UUID,
    request: Request,
    user: StaffPageUser,
    name: Annotated[str, Form(max_length=200)] = "",
    address: Annotated[str, Form(max_length=300)] = "",
    kind: Annotated[str, Form()] = "",
    capacity: Annotated[str, Form()] = "",
    accessible: Annotated[str | None, Form()] = None,
    opening_hours: Annotated[str, Form()] = "",
    blackout_dates: Annotated[str, Form()] = "",
    active: Annotated[str | None, Form()] = None,
) -> Response:
    language, t = _texts(request)
    values, errors = _venue_form_values(
        t, name, address, kind, capacity, accessible, opening_hours, blackout_dates
    )
    if errors:
        return redirect(
            request, f"/staff/venues/{venue_id}?" + urlencode({"error": " ".join(errors)}), language
        )
    async with service_of(request).transaction() as uow:
        changed = (
            await uow.session.execute(
                update(venues)
                .where(venues.c.id == venue_id, venues.c.district == user.district)
                .values(**values, active=active == "yes", updated_at=func.now())
                .returning(venues.c.id)
            )
        ).scalar_one_or_none()
    if changed is None:
        raise HTTPException(404, "no such venue in your district")
    return redirect(request, f"/staff/venues/{venue_id}?" + urlencode({"done": t["done_saved"]}), language)


@calendar_pages.post("/staff/venues-import")
async def import_venues_csv(
    request: Request, user: StaffPageUser, file: Annotated[UploadFile, File()]
) -> Response:
    language, t = _texts(request)
    try:
        text = (await file.read(2_000_000)).decode("utf-8-sig")
    except UnicodeDecodeError:
        return redirect(request, "/staff/venues?" + urlencode({"error": t["error_csv"]}), language)
    rows, problems = parse_venue_csv(text)
    messages = [t["error_line"].format(line=p.line, message=p.message) for p in problems]
    created = updated = 0
    async with service_of(request).transaction() as uow:
        for line, row in rows:
            if _district_of(row.municipality) != user.district:
                messages.append(t["error_line_district"].format(line=line, municipality=row.municipality))
                continue
            if await _upsert_venue(uow.session, user.district, row):
                created += 1
            else:
                updated += 1
    query = {"done": t["done_import"].format(created=created, updated=updated)}
    if messages:
        query["error"] = t["error_skipped"].format(lines="; ".join(messages[:20]))
    return redirect(request, "/staff/venues?" + urlencode(query), language)


@calendar_pages.post("/staff/starters")
async def register_starter(
    request: Request,
    user: StaffPageUser,
    first_name: Annotated[str, Form(max_length=100)] = "",
    email: Annotated[str, Form(max_length=254)] = "",
    availability: Annotated[str, Form()] = "",
) -> Response:
    language, t = _texts(request)
    errors = []
    if not first_name.strip():
        errors.append(t["error_first_name"])
    if "@" not in email or "." not in email.split("@")[-1]:
        errors.append(t["error_email"])
    try:
        hours = hours_to_json(parse_hours_text(availability))
    except ValueError as error:
        hours = {}
        errors.append(t["error_availability"].format(error=error))
    if errors:
        return redirect(request, "/staff/venues?" + urlencode({"error": " ".join(errors)}), language)
    async with service_of(request).transaction() as uow:
        created = (
            await uow.session.execute(
                insert(starters)
                .values(
                    id=uuid.uuid4(),
                    district=user.district,
                    first_name=first_name.strip(),
                    email=email.strip(),
                    availability=hours,
                )
                .on_conflict_do_nothing(index_elements=["district", "email"])
                .returning(starters.c.id)
            )
        ).scalar_one_or_none()
    if created is None:
        return redirect(
            request,
            "/staff/venues?" + urlencode({"error": t["error_starter_exists"]}),
            language,
        )
    done = t["done_registered"].format(name=first_name.strip())
    return redirect(request, "/staff/venues?" + urlencode({"done": done}), language)


# --- a member's meetings and calendar link ----------------------------------------------------------
MEETING_TEXTS = {
    "nb": {
        "title": "Møtene dine",
        "none": "Det er ingen møter planlagt ennå. Tid og sted kommer så snart møtestedet er booket.",
        "subscribe": "Legg møtene i kalenderen din",
        "subscribe_hint": "Kalenderen oppdateres selv når noe endres.",
        "download": "Last ned kalenderfil (.ics)",
        "where": "Sted",
        "online": "Digitalt møte",
        "site": "Selvhjelpsgrupper",
        "invalid": "Denne lenken virker ikke (den kan være for gammel).",
    },
    "nn": {
        "title": "Møta dine",
        "none": "Det er ingen møte planlagde enno. Tid og stad kjem så snart møtestaden er booka.",
        "subscribe": "Legg møta i kalenderen din",
        "subscribe_hint": "Kalenderen blir oppdatert av seg sjølv når noko endrar seg.",
        "download": "Last ned kalenderfil (.ics)",
        "where": "Stad",
        "online": "Digitalt møte",
        "site": "Sjølvhjelpsgrupper",
        "invalid": "Denne lenkja verkar ikkje (ho kan vere for gammal).",
    },
    "en": {
        "title": "Your meetings",
        "none": "No meetings are planned yet. Time and place follow as soon as the venue is booked.",
        "subscribe": "Add the meetings to your calendar",
        "subscribe_hint": "Your calendar updates itself when something changes.",
        "download": "Download calendar file (.ics)",
        "where": "Place",
        "online": "Online meeting",
        "site": "Self-help groups",
        "invalid": "This link does not work (it may be too old).",
    },
}


@calendar_pages.get("/meetings/{token}")
async def my_meetings(token: str, request: Request) -> Response:
    language = choose_language(request)
    t = MEETING_TEXTS[language]
    try:
        participant_id = await service_of(request).person_from_link(PARTICIPANT_FEED, token)
    except InvalidLink:
        return page(
            environment,
            "meetings.html",
            request,
            language,
            status_code=404,
            site_name=t["site"],
            page_title=t["title"],
            t=t,
            valid=False,
            meetings=[],
            feed_url="",
            webcal_url="",
        )
    config = config_of(request)
    now = datetime.now(UTC)
    meetings = []
    async with service_of(request).sessions() as session:
        rows = (
            await session.execute(
                select(groups)
                .join(memberships, memberships.c.group_id == groups.c.group_id)
                .where(memberships.c.participant_id == participant_id)
            )
        ).all()
        for row in rows:
            segments = await load_series(session, row.group_id, config.rules.breaks_for(row.district))
            venue = await load_venue(session, row.venue_id)
            address = None
            if venue is not None:
                address = await session.scalar(select(venues.c.address).where(venues.c.id == row.venue_id))
            for one in meetings_between(segments, now, now + timedelta(weeks=8), config)[:6]:
                meetings.append(
                    {
                        "start": _oslo(one.start),
                        "end": one.end.astimezone(OSLO).strftime("%H:%M"),
                        "venue": venue.name if venue else None,
                        "address": address,
                        "url": row.meeting_url,
                        "sort": one.start,
                    }
                )
    meetings.sort(key=lambda m: m["sort"])
    base = service_of(request).settings.calendar_url
    feed = f"{base}/feeds/participants/{token}.ics"
    return page(
        environment,
        "meetings.html",
        request,
        language,
        site_name=t["site"],
        page_title=t["title"],
        t=t,
        valid=True,
        meetings=meetings,
        feed_url=feed,
        webcal_url="webcal://" + feed.split("://", 1)[1],
    )
