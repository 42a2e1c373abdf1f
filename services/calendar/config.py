"""The calendar's rules and timings as this deployment sets them (shared/settings.py), in domain terms."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta

from shared.auth import sign_link
from shared.keys import Keyring
from shared.settings import Settings

from .domain import DEFAULT_RULES, CalendarRules, DateRange

GROUP_FEED = "group-feed"
PARTICIPANT_FEED = "participant-feed"
STARTER_FEED = "starter-feed"  # the purpose of a starter's feed link (starter_pages.py)
# A calendar subscription is set up once and polled for as long as the group meets; a link that expired
# after the usual 180 days would silently empty people's calendars.
FEED_LINK_LIFETIME_SECONDS = 3 * 366 * 24 * 3600


@dataclass(frozen=True)
class CalendarConfig:
    rules: CalendarRules
    reminder_offsets: tuple[timedelta, ...]
    at_risk_threshold: int
    horizon: timedelta
    keyring: Keyring
    poll_seconds: float
    schedulers: int = 1

    @classmethod
    def from_settings(cls, settings: Settings, rules: CalendarRules = DEFAULT_RULES) -> CalendarConfig:
        horizon = timedelta(days=settings.calendar_plan_horizon_days)
        breaks = {
            district: tuple(DateRange(first, last, name) for first, last, name in periods)
            for district, periods in settings.calendar_breaks.items()
        }
        rules = replace(
            rules,
            notice_days=settings.calendar_notice_days,
            meeting_url_template=settings.calendar_meeting_url_template,
            breaks_by_region=breaks or rules.breaks_by_region,
            # The venue must be checked free for every meeting we book, i.e. the whole horizon.
            horizon_meetings=max(rules.horizon_meetings, math.ceil(horizon / timedelta(weeks=1))),
        )
        return cls(
            rules=rules,
            reminder_offsets=tuple(timedelta(hours=hours) for hours in settings.calendar_reminder_hours),
            at_risk_threshold=settings.calendar_at_risk_threshold,
            horizon=horizon,
            keyring=settings.keyring(),
            poll_seconds=settings.calendar_poll_seconds,
            schedulers=settings.calendar_schedulers,
        )

    def group_feed_path(self, group_id: uuid.UUID) -> str:
        token = sign_link(self.keyring, GROUP_FEED, group_id, lifetime=FEED_LINK_LIFETIME_SECONDS)
        return f"/feeds/groups/{token}.ics"

    def participant_feed_path(self, participant_id: uuid.UUID) -> str:
        token = sign_link(self.keyring, PARTICIPANT_FEED, participant_id, lifetime=FEED_LINK_LIFETIME_SECONDS)
        return f"/feeds/participants/{token}.ics"

    def starter_feed_path(self, starter_id: uuid.UUID) -> str:
        token = sign_link(self.keyring, STARTER_FEED, starter_id, lifetime=FEED_LINK_LIFETIME_SECONDS)
        return f"/feeds/starters/{token}.ics"


def reminder_kind(offset: timedelta) -> str:
    """`24h`, `2h`, `1.5h`: the name of a reminder by how long before the meeting it goes out."""
    return f"{offset / timedelta(hours=1):g}h"
