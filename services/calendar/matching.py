"""Choosing when and where a new group meets, and which starter comes to its first meetings.

Pure: the caller passes the venues, bookings and starters it loaded and a neighbour test. The answer is a
SchedulingDecision, or NoFit with a reason a district office can act on (add a venue, ask a starter).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from .rules import DEFAULT_RULES, CalendarRules, SlotTimes, candidate_start_times, slot_times
from .series import MeetingSeries, Occurrence, first_meeting_date, first_occurrences
from .venues import (
    Booking,
    BusyTimes,
    Starter,
    StarterBooking,
    Venue,
    starter_can_attend,
    venue_is_free,
    within_hours,
)

IsNear = Callable[[str, str], bool]
"""`is_near(a_municipality, b_municipality)`: whether people in `a` can reasonably reach `b`."""


@dataclass(frozen=True)
class GroupToSchedule:
    """What the matcher needs of a formed group. `municipalities` has one entry per member where known,
    so the majority's municipality can be preferred; a list without repeats treats all alike."""

    group_id: UUID
    district: str
    slot: str
    size: int
    municipalities: tuple[str, ...] = ()
    digital: bool = False
    needs_accessible: bool = False
    interval_weeks: int = 1


@dataclass(frozen=True)
class SchedulingDecision:
    series: MeetingSeries
    venue: Venue | None
    meeting_url: str | None
    starter_id: str | None
    starter_meetings: tuple[Occurrence, ...]
    checked_meetings: tuple[Occurrence, ...]
    """The meetings the venue was checked free for (the first `rules.horizon_meetings`)."""

    @property
    def first_meeting(self) -> Occurrence:
        return self.checked_meetings[0]


@dataclass(frozen=True)
class NoFit:
    reason: str
    # The same as a code with parameters, so grouping can show it in the reader's language.
    code: str = ""
    params: dict[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True)
class _Plan:
    """One candidate start time with the meetings it implies."""

    series: MeetingSeries
    meetings: tuple[Occurrence, ...]
    starter_meetings: tuple[Occurrence, ...]


def schedule_group(
    group: GroupToSchedule,
    *,
    today: date,
    venues: Sequence[Venue],
    bookings: Sequence[Booking],
    starters: Sequence[Starter],
    starter_bookings: Sequence[StarterBooking],
    is_near: IsNear,
    rules: CalendarRules = DEFAULT_RULES,
    municipality_name: Callable[[str], str] = str,
) -> SchedulingDecision | NoFit:
    """Pick start time, venue and starter for `group`, or say why nothing fits."""
    slot = slot_times(group.slot, rules)
    plans = _plans(group, slot, today, rules)
    pick_starter = _starter_picker(group, starters, starter_bookings)
    if group.digital:
        return _schedule_digital(group, slot, plans, pick_starter, rules)

    if not group.municipalities:
        return NoFit("the group has no member municipality to look for a venue in", "no_member_municipality")
    places = _describe_places(group.municipalities, municipality_name)
    ranked = _reachable(venues, group.municipalities, is_near)
    if not ranked:
        return NoFit(
            f"no venue is registered in {places} or neighbouring municipalities",
            "no_venue_registered",
            {"places": places},
        )
    accessible = " accessible" if group.needs_accessible else ""
    venue_params = {"accessible": group.needs_accessible, "size": group.size, "places": places}
    venues_busy = BusyTimes((b.venue_id, b.start, b.end) for b in bookings)
    roomy = [(rank, venue) for rank, venue in ranked if _fits(venue, group)]
    if not roomy:
        return NoFit(
            f"no{accessible} venue with room for {group.size} in {places} or neighbours",
            "no_venue_with_room",
            venue_params,
        )
    # Opening hours depend only on weekday and time of day, which most meetings of a plan share: check
    # one meeting per distinct time instead of every meeting (venues × start times × the horizon).
    weekly_times = [_distinct_times(plan.meetings) for plan in plans]
    open_weekly = [
        (rank, index, venue, plan)
        for rank, venue in roomy
        for index, plan in enumerate(plans)
        if all(within_hours(venue.opening_hours, meeting) for meeting in weekly_times[index])
    ]
    what = f"no{accessible} venue with room for {group.size} in {places} or neighbours"
    if not open_weekly:
        return NoFit(
            f"{what} is open on {slot.describe()} ({_window(slot)})",
            "no_venue_open",
            {**venue_params, **_slot_params(slot)},
        )
    # In order of preference; whether a candidate is free is only looked at until one with a starter
    # is found (the check reads every booking of the horizon, most candidates are never needed).
    ranked_candidates = sorted(
        ((rank, index, not venue.accessible, venue.capacity, venue.id, venue, plan)
         for rank, index, venue, plan in open_weekly),
        key=lambda candidate: candidate[:5],
    )  # fmt: skip
    first_free = None
    for *_, venue, plan in ranked_candidates:
        if _on_blackout_date(venue, plan.meetings) or not venue_is_free(venue, plan.meetings, venues_busy):
            continue  # open at those hours was checked above
        first_free = first_free or (venue, plan)
        starter = pick_starter(plan)
        if starter is not None:
            return _decision(plan, venue, None, starter)
    if first_free is None:
        return NoFit(
            f"{what} is free on {slot.describe()} for the first {rules.horizon_meetings} meetings "
            f"from {plans[0].series.first_date} (booked or closed on some of those days)",
            "no_venue_free",
            {
                **venue_params,
                **_slot_params(slot),
                "meetings": rules.horizon_meetings,
                "first_date": plans[0].series.first_date.isoformat(),
            },
        )
    if rules.require_starter:
        return _no_starter(group, slot, rules)
    venue, plan = first_free
    return _decision(plan, venue, None, None)


def _distinct_times(meetings: Sequence[Occurrence]) -> list[Occurrence]:
    """One meeting per (weekday, start, end, same day): all that `within_hours` looks at."""
    seen: dict[tuple, Occurrence] = {}
    for meeting in meetings:
        key = (
            meeting.start.weekday(),
            meeting.start.time(),
            meeting.end.time(),
            meeting.end.date() - meeting.start.date(),
        )
        seen.setdefault(key, meeting)
    return list(seen.values())


def _on_blackout_date(venue: Venue, meetings: Sequence[Occurrence]) -> bool:
    return bool(venue.blackout_dates) and any(m.start.date() in venue.blackout_dates for m in meetings)


def booking_windows(
    group: GroupToSchedule, *, today: date, rules: CalendarRules = DEFAULT_RULES
) -> list[tuple[datetime, datetime]]:
    """Per day, from the earliest to the latest candidate meeting of `group`: a venue booking outside
    these cannot clash with any choice `schedule_group` could make, so the caller need not load it
    (a district's venues hold every group's weekly meetings for the whole horizon)."""
    days: dict[date, tuple[datetime, datetime]] = {}
    for plan in _plans(group, slot_times(group.slot, rules), today, rules):
        for meeting in plan.meetings:
            day = meeting.start.date()
            start, end = days.get(day, (meeting.start, meeting.end))
            days[day] = (min(start, meeting.start), max(end, meeting.end))
    return [days[day] for day in sorted(days)]


def _plans(group: GroupToSchedule, slot: SlotTimes, today: date, rules: CalendarRules) -> list[_Plan]:
    breaks = rules.breaks_for(group.district)
    first_date = first_meeting_date(slot.weekday, today, breaks=breaks, rules=rules)
    plans = []
    for start_time in candidate_start_times(group.slot, rules):
        series = MeetingSeries(
            group_id=group.group_id,
            weekday=slot.weekday,
            start_time=start_time,
            first_date=first_date,
            interval_weeks=group.interval_weeks,
            duration=rules.duration,
            breaks=breaks,
        )
        meetings = tuple(first_occurrences(series, rules.horizon_meetings, rules))
        plans.append(_Plan(series, meetings, meetings[: rules.starter_meetings]))
    return plans


def _starter_picker(
    group: GroupToSchedule, starters: Sequence[Starter], bookings: Sequence[StarterBooking]
) -> Callable[[_Plan], Starter | None]:
    load = Counter(booking.starter_id for booking in bookings)
    # The least busy starter first spreads the work; the id keeps the choice reproducible.
    local = sorted((s for s in starters if s.district == group.district), key=lambda s: (load[s.id], s.id))

    busy = BusyTimes((b.starter_id, b.start, b.end) for b in bookings)

    def pick(plan: _Plan) -> Starter | None:
        return next((s for s in local if starter_can_attend(s, plan.starter_meetings, busy)), None)

    return pick


def _schedule_digital(
    group: GroupToSchedule,
    slot: SlotTimes,
    plans: list[_Plan],
    pick_starter: Callable[[_Plan], Starter | None],
    rules: CalendarRules,
) -> SchedulingDecision | NoFit:
    url = rules.meeting_url_template.format(group_id=group.group_id)
    for plan in plans:
        starter = pick_starter(plan)
        if starter is not None:
            return _decision(plan, None, url, starter)
    if rules.require_starter:
        return _no_starter(group, slot, rules)
    return _decision(plans[0], None, url, None)


def _decision(
    plan: _Plan, venue: Venue | None, url: str | None, starter: Starter | None
) -> SchedulingDecision:
    return SchedulingDecision(
        series=plan.series,
        venue=venue,
        meeting_url=url,
        starter_id=starter.id if starter else None,
        starter_meetings=plan.starter_meetings if starter else (),
        checked_meetings=plan.meetings,
    )


def _reachable(
    venues: Sequence[Venue], municipalities: Sequence[str], is_near: IsNear
) -> list[tuple[int, Venue]]:
    """Venues members can reach, ranked: 0 the majority's municipality, 1 another member's, 2 near the
    majority's, 3 near another member's. Venues farther away are left out."""
    counts = Counter(municipalities)
    top = max(counts.values())
    majority = {place for place, count in counts.items() if count == top}
    ranked = []
    for venue in venues:
        here = venue.municipality
        ranks = [
            0 if here in majority else None,
            1 if here in counts else None,
            2 if any(is_near(place, here) for place in majority) else None,
            3 if any(is_near(place, here) for place in counts) else None,
        ]
        rank = next((value for value in ranks if value is not None), None)
        if rank is not None:
            ranked.append((rank, venue))
    return ranked


def _fits(venue: Venue, group: GroupToSchedule) -> bool:
    return venue.capacity >= group.size and (venue.accessible or not group.needs_accessible)


def _describe_places(municipalities: Sequence[str], name: Callable[[str], str]) -> str:
    ordered = [place for place, _ in Counter(municipalities).most_common()]
    names = [name(place) for place in ordered]
    return ", ".join(names)


def _window(slot: SlotTimes) -> str:
    return f"starting {slot.window.earliest_start:%H:%M}-{slot.window.latest_start:%H:%M}"


def _slot_params(slot: SlotTimes) -> dict[str, str]:
    return {
        "slot": slot.slot,
        "earliest": f"{slot.window.earliest_start:%H:%M}",
        "latest": f"{slot.window.latest_start:%H:%M}",
    }


def _no_starter(group: GroupToSchedule, slot: SlotTimes, rules: CalendarRules) -> NoFit:
    return NoFit(
        f"no starter in district {group.district} is available and free on {slot.describe()} "
        f"({_window(slot)}) for the group's first {rules.starter_meetings} meetings",
        "no_starter",
        {"district": group.district, **_slot_params(slot), "meetings": rules.starter_meetings},
    )
