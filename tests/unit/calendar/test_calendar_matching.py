"""Venue and starter matching: never a booked, closed or too small venue; NoFit says why."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.calendar.domain import (
    Booking,
    BusyTimes,
    CalendarRules,
    GroupToSchedule,
    NoFit,
    SchedulingDecision,
    Starter,
    StarterBooking,
    TimeRange,
    Venue,
    booking_windows,
    schedule_group,
)

pytestmark = pytest.mark.unit

OSLO = ZoneInfo("Europe/Oslo")
TUE = 1
TODAY = date(2027, 1, 4)  # a Monday; first Tuesday after the 7-day notice is 2027-01-12
BODO, SALTDAL, FAUSKE, TROMSO = "1804", "1840", "1841", "5501"
NAMES = {BODO: "Bodø", SALTDAL: "Saltdal", FAUSKE: "Fauske", TROMSO: "Tromsø"}
NEIGHBOURS = {frozenset({BODO, SALTDAL}), frozenset({BODO, FAUSKE}), frozenset({SALTDAL, FAUSKE})}
EVENINGS = {TUE: (TimeRange(time(16), time(22)),)}
GROUP = GroupToSchedule(
    group_id=uuid.UUID("00000000-0000-0000-0000-0000000000c1"),
    district="nord",
    slot="tue_evening",
    size=7,
    municipalities=(BODO, BODO, BODO, BODO, SALTDAL, SALTDAL, FAUSKE),
)
STARTER = Starter("s1", "nord", {TUE: (TimeRange(time(9), time(22)),)})


def is_near(a: str, b: str) -> bool:
    return frozenset({a, b}) in NEIGHBOURS


def venue(id: str, municipality: str = BODO, capacity: int = 8, **fields: object) -> Venue:
    fields.setdefault("opening_hours", EVENINGS)
    fields.setdefault("accessible", True)
    return Venue(  # type: ignore[arg-type]
        id=id, name=f"Venue {id}", municipality=municipality, kind="library", capacity=capacity,
        **fields,
    )  # fmt: skip


def schedule(
    venues: list[Venue],
    bookings: list[Booking] = (),  # type: ignore[assignment]
    starters: list[Starter] = (STARTER,),  # type: ignore[assignment]
    starter_bookings: list[StarterBooking] = (),  # type: ignore[assignment]
    group: GroupToSchedule = GROUP,
    rules: CalendarRules = CalendarRules(),
) -> SchedulingDecision | NoFit:
    return schedule_group(
        group,
        today=TODAY,
        venues=venues,
        bookings=bookings,
        starters=starters,
        starter_bookings=starter_bookings,
        is_near=is_near,
        rules=rules,
        municipality_name=NAMES.get,  # type: ignore[arg-type]
    )


def decided(result: SchedulingDecision | NoFit) -> SchedulingDecision:
    assert isinstance(result, SchedulingDecision), result
    return result


def tuesday(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=OSLO)


def test_schedules_a_group_in_its_slot_with_venue_and_starter() -> None:
    decision = decided(schedule([venue("v1")]))
    series = decision.series
    assert (series.weekday, series.start_time, series.first_date) == (TUE, time(17), date(2027, 1, 12))
    assert series.duration == timedelta(hours=2) and series.interval_weeks == 1
    assert decision.venue is not None and decision.venue.id == "v1" and decision.meeting_url is None
    assert decision.starter_id == "s1" and len(decision.starter_meetings) == 3
    assert len(decision.checked_meetings) == 12
    assert decision.first_meeting.start == tuesday(date(2027, 1, 12), 17)


def test_prefers_the_majority_municipality_then_members_then_neighbours() -> None:
    venues = [venue("near", FAUSKE), venue("member", SALTDAL), venue("home", BODO), venue("far", TROMSO)]
    assert decided(schedule(venues)).venue.id == "home"  # type: ignore[union-attr]
    assert decided(schedule(venues[:2])).venue.id == "member"  # type: ignore[union-attr]
    only_near = replace(GROUP, municipalities=(SALTDAL,) * 7)
    assert (
        decided(schedule([venue("near", FAUSKE), venue("far", TROMSO)], group=only_near)).venue.id == "near"
    )  # type: ignore[union-attr]


def test_never_picks_a_venue_too_small() -> None:
    assert (
        decided(schedule([venue("small", capacity=6), venue("big", SALTDAL, capacity=7)])).venue.id == "big"
    )  # type: ignore[union-attr]
    result = schedule([venue("small", capacity=6)])
    assert isinstance(result, NoFit)
    assert result.reason == "no venue with room for 7 in Bodø, Saltdal, Fauske or neighbours"


def test_never_picks_a_closed_venue() -> None:
    daytime_only = venue("day", opening_hours={TUE: (TimeRange(time(9), time(16)),)})
    result = schedule([daytime_only, venue("monday", opening_hours={0: EVENINGS[TUE]})])
    assert isinstance(result, NoFit)
    assert result.reason.startswith(
        "no venue with room for 7 in Bodø, Saltdal, Fauske or neighbours is open on Tuesday evenings"
    )
    # Open 17:30-19:45: only a 17:30 start lies wholly inside the opening hours.
    decision = decided(
        schedule([venue("late", opening_hours={TUE: (TimeRange(time(17, 30), time(19, 45)),)})])
    )
    assert decision.series.start_time == time(17, 30)


def test_a_blackout_day_within_the_horizon_rules_a_venue_out() -> None:
    closed_once = venue("closed", blackout_dates=frozenset({date(2027, 2, 16)}))
    assert decided(schedule([closed_once, venue("open", SALTDAL)])).venue.id == "open"  # type: ignore[union-attr]
    result = schedule([closed_once])
    assert isinstance(result, NoFit) and "first 12 meetings" in result.reason


def test_never_picks_a_booked_venue_but_moves_to_a_free_start_time() -> None:
    # The 10th Tuesday is taken 17:00-19:00; a 19:00 start still fits before closing at 22:00.
    booked = [Booking("v1", tuesday(date(2027, 3, 16), 17), tuesday(date(2027, 3, 16), 19))]
    decision = decided(schedule([venue("v1")], bookings=booked))
    assert decision.venue.id == "v1" and decision.series.start_time == time(19)  # type: ignore[union-attr]
    for meeting in decision.checked_meetings:
        assert not any(meeting.start < b.end and b.start < meeting.end for b in booked)


def test_fully_booked_venue_gives_no_fit_with_a_reason() -> None:
    evening = [Booking("v1", tuesday(date(2027, 3, 16), 16), tuesday(date(2027, 3, 16), 22))]
    result = schedule([venue("v1")], bookings=evening)
    assert isinstance(result, NoFit)
    assert "is free on Tuesday evenings for the first 12 meetings from 2027-01-12" in result.reason


def test_no_venue_in_reach() -> None:
    result = schedule([venue("far", TROMSO)])
    assert isinstance(result, NoFit)
    assert result.reason == "no venue is registered in Bodø, Saltdal, Fauske or neighbouring municipalities"


def test_accessible_venue_when_needed() -> None:
    needs = replace(GROUP, needs_accessible=True)
    stairs = venue("stairs", accessible=False)
    assert decided(schedule([stairs, venue("lift", SALTDAL)], group=needs)).venue.id == "lift"  # type: ignore[union-attr]
    result = schedule([stairs], group=needs)
    assert isinstance(result, NoFit) and "no accessible venue" in result.reason


def test_starter_must_be_free_for_the_first_three_meetings() -> None:
    busy = StarterBooking("s1", tuesday(date(2027, 1, 19), 17), tuesday(date(2027, 1, 19), 21, 30))
    other = Starter("s2", "nord", {TUE: (TimeRange(time(17), time(21)),)})
    decision = decided(schedule([venue("v1")], starters=[STARTER, other], starter_bookings=[busy]))
    assert decision.starter_id == "s2"
    # A starter busy only on the 4th meeting is still free for the first three.
    later = StarterBooking("s1", tuesday(date(2027, 2, 2), 17), tuesday(date(2027, 2, 2), 21))
    assert decided(schedule([venue("v1")], starter_bookings=[later])).starter_id == "s1"


def test_starter_from_another_district_is_not_used() -> None:
    result = schedule([venue("v1")], starters=[Starter("s9", "midt", STARTER.availability)])
    assert isinstance(result, NoFit)
    assert result.reason.startswith("no starter in district nord is available and free on Tuesday evenings")
    without = decided(schedule([venue("v1")], starters=[], rules=CalendarRules(require_starter=False)))
    assert without.starter_id is None and without.starter_meetings == ()


def test_digital_group_gets_a_meeting_url_not_a_venue() -> None:
    digital = replace(GROUP, digital=True, municipalities=())
    decision = decided(schedule([], group=digital))
    assert decision.venue is None
    assert decision.meeting_url == f"https://meet.example.no/selvhjelp-{GROUP.group_id}"


def test_holidays_shift_the_first_meeting_and_are_not_checked_against_the_venue() -> None:
    rules = CalendarRules()
    monday_group = replace(GROUP, slot="mon_evening")
    mondays = venue("v1", opening_hours={0: EVENINGS[TUE]}, blackout_dates=frozenset({date(2027, 3, 29)}))
    # Blackout on Easter Monday does not matter: the group does not meet on a holiday anyway.
    decision = decided(
        schedule_group(
            monday_group, today=date(2027, 3, 15), venues=[mondays], bookings=[], starters=[
                Starter("s1", "nord", {0: (TimeRange(time(9), time(22)),)})
            ], starter_bookings=[], is_near=is_near, rules=rules,
        )
    )  # fmt: skip
    assert decision.series.first_date == date(2027, 3, 22)
    assert date(2027, 3, 29) not in {m.start.date() for m in decision.checked_meetings}


hours = st.tuples(st.integers(14, 19), st.integers(1, 7)).map(
    lambda opening: {TUE: (TimeRange(time(opening[0]), time(min(opening[0] + opening[1], 23))),)}
)
venues_strategy = st.lists(
    st.builds(
        venue,
        id=st.sampled_from(["a", "b", "c", "d"]),
        municipality=st.sampled_from([BODO, SALTDAL, FAUSKE, TROMSO]),
        capacity=st.integers(5, 12),
        opening_hours=hours,
        blackout_dates=st.frozensets(st.dates(date(2027, 1, 12), date(2027, 4, 30)), max_size=2),
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda v: v.id,
)
bookings_strategy = st.lists(
    st.builds(
        lambda venue_id, week, hour, length: Booking(
            venue_id,
            tuesday(date(2027, 1, 12) + timedelta(weeks=week), hour),
            tuesday(date(2027, 1, 12) + timedelta(weeks=week), hour) + timedelta(hours=length),
        ),
        st.sampled_from(["a", "b", "c", "d"]),
        st.integers(0, 14),
        st.integers(15, 20),
        st.integers(1, 3),
    ),
    max_size=8,
)


@settings(max_examples=100, deadline=None)
@given(venues=venues_strategy, bookings=bookings_strategy)
def test_a_chosen_venue_is_always_big_enough_open_and_free(
    venues: list[Venue], bookings: list[Booking]
) -> None:
    result = schedule(venues, bookings=bookings)
    if isinstance(result, NoFit):
        assert result.reason
        return
    chosen = result.venue
    assert chosen is not None and chosen.capacity >= GROUP.size and chosen.municipality != TROMSO
    assert len(result.checked_meetings) == 12
    for meeting in result.checked_meetings:
        assert meeting.start.date() not in chosen.blackout_dates
        assert any(span.start <= meeting.start.time() and meeting.end.time() <= span.end
                   for span in chosen.opening_hours[TUE])  # fmt: skip
        taken = [b for b in bookings if b.venue_id == chosen.id]
        assert not any(meeting.start < b.end and b.start < meeting.end for b in taken)


# --- the booking index agrees with the plain pairwise check ---------------------------------------------
_hours = st.integers(min_value=0, max_value=200)


@given(
    spans=st.lists(st.tuples(st.sampled_from(["a", "b"]), _hours, st.integers(1, 30)), max_size=25),
    meeting=st.tuples(st.sampled_from(["a", "b", "c"]), _hours, st.integers(1, 30)),
)
def test_busy_times_finds_exactly_the_overlaps_a_pairwise_scan_finds(spans, meeting):
    base = datetime(2027, 1, 4, tzinfo=UTC)

    def span(start: int, length: int) -> tuple[datetime, datetime]:
        return base + timedelta(hours=start), base + timedelta(hours=start + length)

    booked = [(owner, *span(start, length)) for owner, start, length in spans]
    owner, start, end = meeting[0], *span(meeting[1], meeting[2])
    pairwise = any(o == owner and s < end and start < e for o, s, e in booked)
    assert BusyTimes(booked).is_busy(owner, start, end) == pairwise


# --- only the bookings in the group's windows matter -----------------------------------------------------
any_bookings = st.lists(
    st.builds(
        lambda venue_id, day, hour, minutes: Booking(
            venue_id,
            datetime.combine(date(2027, 1, 4) + timedelta(days=day), time(hour), tzinfo=OSLO),
            datetime.combine(date(2027, 1, 4) + timedelta(days=day), time(hour), tzinfo=OSLO)
            + timedelta(minutes=minutes),
        ),
        st.sampled_from(["a", "b", "c", "d"]),
        # mostly the group's Tuesdays, but also any other day of the next four months
        st.one_of(st.integers(0, 16).map(lambda week: 1 + 7 * week), st.integers(0, 120)),
        st.integers(8, 21),
        st.sampled_from([30, 90, 120, 180]),
    ),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(venues=venues_strategy, bookings=any_bookings, slot=st.sampled_from(["tue_evening", "sat_daytime"]))
def test_the_bookings_outside_the_groups_windows_never_change_the_decision(venues, bookings, slot):
    # The calendar loads only the bookings overlapping `booking_windows`; that must decide the same.
    group = replace(GROUP, slot=slot)
    windows = booking_windows(group, today=TODAY)
    inside = [b for b in bookings if any(b.start < end and start < b.end for start, end in windows)]
    assert schedule(venues, bookings=inside, group=group) == schedule(venues, bookings=bookings, group=group)


def test_the_windows_are_one_per_meeting_day_of_the_slot() -> None:
    windows = booking_windows(GROUP, today=TODAY)
    assert len(windows) == 12 and all(start.weekday() == TUE and start < end for start, end in windows)
    assert [start.date() for start, _ in windows] == sorted({start.date() for start, _ in windows})
