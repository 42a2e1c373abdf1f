"""The grouping service's settings in domain terms: the planning rules, the timing of invitations and
admission votes, and the day things count by."""

from __future__ import annotations

from datetime import date, datetime

from shared.clock import norway_today
from shared.settings import Settings

from .commands.common import Timing


def today(now: datetime | None = None) -> date:
    """Ages and waiting times count in Norwegian days."""
    return norway_today(now)


def timing_from(settings: Settings) -> Timing:
    return Timing(
        invitation_days=settings.invitation_days,
        admission_vote_days=settings.admission_vote_days,
        newcomer_extra_candidates=settings.newcomer_extra_candidates,
    )
