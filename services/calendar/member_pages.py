"""A member's page of their meetings, with the calendar subscription link (the same signed token as the
participant feed). Members have no account; an invalid or old link gets a 404 page in their language.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from shared.auth import InvalidLink, sign_link
from shared.texts import texts_for
from shared.web import choose_language, page

from . import queries
from .app import CalendarServiceDep
from .breaks import group_breaks
from .config import PARTICIPANT_FEED
from .models import venues
from .pages_common import OSLO, environment, oslo_time
from .plan import meetings_between
from .store import load_series, load_venue

member_pages = APIRouter(include_in_schema=False)
# Grouping's leave page (services/grouping/leave_pages.py) takes its own signed link, one per person.
LEAVE_GROUP = "leave-group"
NEWCOMERS_LINK = "admission-vote"  # grouping's purpose for a member's newcomers page
GROUP_DECISION = "group-decision"  # grouping's purpose for a member's decision page (decision_pages.py)

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
        "leave_title": "Vil du ikke være med lenger?",
        "leave": "Gå ut av gruppa",
        "ended": "Gruppa di er avsluttet. Det er ingen flere møter.",
        "invalid": "Denne lenken virker ikke (den kan være for gammel).",
        "newcomers": "Nye deltakere i gruppen",
        "newcomers_hint": "Gruppen er lukket. Her kan dere be om nye deltakere og stemme over forslagene.",
        "decisions": "Gruppens avgjørelser",
        "decisions_hint": "Stem over det gruppen skal bestemme, eller foreslå en endring: annenhver uke, en pause i en ferie eller å avslutte.",
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
        "leave_title": "Vil du ikkje vere med lenger?",
        "leave": "Gå ut av gruppa",
        "ended": "Gruppa di er avslutta. Det er ingen fleire møte.",
        "invalid": "Denne lenkja verkar ikkje (ho kan vere for gammal).",
        "newcomers": "Nye deltakarar i gruppa",
        "newcomers_hint": "Gruppa er lukka. Her kan de be om nye deltakarar og røyste over forslaga.",
        "decisions": "Avgjerdene til gruppa",
        "decisions_hint": "Røyst over det gruppa skal bestemme, eller foreslå ei endring: kvar andre veke, ein pause i ei ferie eller å avslutte.",
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
        "leave_title": "No longer want to take part?",
        "leave": "Leave the group",
        "ended": "Your group has ended. There are no more meetings.",
        "invalid": "This link does not work (it may be too old).",
        "newcomers": "New members for your group",
        "newcomers_hint": "The group is closed. Here you can ask for new members and vote on the proposals.",
        "decisions": "Your group's decisions",
        "decisions_hint": "Vote on what your group decides, or propose a change: every other week, a pause over a holiday, or ending the group.",
    },
}


@member_pages.get("/meetings/{token}")
async def my_meetings(token: str, request: Request, service: CalendarServiceDep) -> Response:
    language = choose_language(request)
    t = texts_for(MEETING_TEXTS, language)
    try:
        participant_id = await service.person_from_link(PARTICIPANT_FEED, token)
    except InvalidLink:
        return page(
            environment,
            "pages/meetings.html",
            request,
            language,
            status_code=404,
            site_name=t["site"],
            page_title=t["title"],
            t=t,
            valid=False,
            leave_url=None,
            ended=False,
            meetings=[],
            feed_url="",
            webcal_url="",
            decisions_url=None,
        )
    config = service.calendar
    now = datetime.now(UTC)
    meetings = []
    async with service.sessions() as session:
        rows = await queries.participant_groups(session, participant_id)
        for row in rows:
            segments = await load_series(
                session, row.group_id, await group_breaks(session, config, row.group_id)
            )
            venue = await load_venue(session, row.venue_id)
            address = None
            if venue is not None:
                address = await session.scalar(select(venues.c.address).where(venues.c.id == row.venue_id))
            for one in meetings_between(segments, now, now + timedelta(weeks=8), config)[:6]:
                meetings.append(
                    {
                        "start": oslo_time(one.start),
                        "end": one.end.astimezone(OSLO).strftime("%H:%M"),
                        "venue": venue.name if venue else None,
                        "address": address,
                        "url": row.meeting_url,
                        "sort": one.start,
                    }
                )
    meetings.sort(key=lambda m: m["sort"])
    running = [row for row in rows if row.status != "ended"]
    leave_url = None
    if running:
        leave_token = sign_link(service.keyring, LEAVE_GROUP, participant_id)
        leave_url = f"{service.settings.grouping_url}/leave/{leave_token}"
    # A member reaches their group's newcomers page (grouping's, issue #22) from here, by its own link.
    newcomers = sign_link(service.keyring, NEWCOMERS_LINK, participant_id) if running else None
    base = service.settings.calendar_url
    feed = f"{base}/feeds/participants/{token}.ics"
    return page(
        environment,
        "pages/meetings.html",
        request,
        language,
        site_name=t["site"],
        page_title=t["title"],
        t=t,
        valid=True,
        leave_url=leave_url,
        ended=bool(rows) and not running,
        meetings=meetings,
        newcomers_url=f"{service.settings.grouping_url}/admission/{newcomers}" if newcomers else None,
        feed_url=feed,
        webcal_url="webcal://" + feed.split("://", 1)[1],
        # Grouping's page of the group's decisions (its own signed link, purpose "group-decision").
        decisions_url=(
            f"{service.settings.grouping_url}/decisions/"
            f"{sign_link(service.keyring, GROUP_DECISION, participant_id)}"
            if rows
            else None
        ),
    )
