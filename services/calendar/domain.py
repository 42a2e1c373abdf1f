"""The calendar service's pure domain: slots in clock time, meeting series, venue and starter matching,
iCalendar feeds and reminder times. No I/O; handlers load data, call these, and store or publish results.

The parts live in short modules; this module is the one place other code imports from.
"""

from .changes import (
    cancel_occurrence,
    end_series,
    move_occurrence,
    move_weekly_time,
    pause,
    resume,
    switch_frequency,
)
from .closures import closure_reason, public_holiday
from .feeds import GroupSchedule, event_uid, group_feed, participant_feed
from .matching import GroupToSchedule, IsNear, NoFit, SchedulingDecision, booking_windows, schedule_group
from .reminders import DEFAULT_REMINDER_OFFSETS, reminder_due_times
from .rules import (
    DEFAULT_RULES,
    CalendarRules,
    DateRange,
    SlotTimes,
    TimeWindow,
    candidate_start_times,
    slot_times,
    weekday_code,
)
from .series import (
    MeetingSeries,
    MovedOccurrence,
    Occurrence,
    first_meeting_date,
    first_occurrences,
    occurrences,
)
from .venues import Booking, BusyTimes, Starter, StarterBooking, TimeRange, Venue, WeeklyHours

__all__ = [
    "DEFAULT_REMINDER_OFFSETS",
    "DEFAULT_RULES",
    "Booking",
    "BusyTimes",
    "CalendarRules",
    "DateRange",
    "GroupSchedule",
    "GroupToSchedule",
    "IsNear",
    "MeetingSeries",
    "MovedOccurrence",
    "NoFit",
    "Occurrence",
    "SchedulingDecision",
    "SlotTimes",
    "Starter",
    "StarterBooking",
    "TimeRange",
    "TimeWindow",
    "Venue",
    "WeeklyHours",
    "cancel_occurrence",
    "candidate_start_times",
    "closure_reason",
    "end_series",
    "event_uid",
    "first_meeting_date",
    "first_occurrences",
    "group_feed",
    "move_occurrence",
    "move_weekly_time",
    "occurrences",
    "pause",
    "participant_feed",
    "public_holiday",
    "reminder_due_times",
    "resume",
    "schedule_group",
    "booking_windows",
    "slot_times",
    "switch_frequency",
    "weekday_code",
]
