"""The grouping service's settings in domain terms: the planning rules, the timing of invitations and
admission votes, and the day things count by."""

from __future__ import annotations

from datetime import date, datetime

from shared.clock import norway_today
from shared.settings import Settings

from .commands.common import Timing
from .planning.policy import PolicySettings


def today(now: datetime | None = None) -> date:
    """Ages and waiting times count in Norwegian days."""
    return norway_today(now)


def timing_from(settings: Settings) -> Timing:
    return Timing(
        invitation_days=settings.invitation_days,
        admission_vote_days=settings.admission_vote_days,
        newcomer_extra_candidates=settings.newcomer_extra_candidates,
    )


def policy_from(settings: Settings) -> PolicySettings:
    """Which groups form now and which wait for a larger group (docs/operations.md, "Grouping policy")."""
    return PolicySettings(
        policy=settings.grouping_policy,
        dropout=settings.grouping_dropout,
        wait_limit_days=settings.grouping_wait_limit_days,
        max_hold_days=settings.grouping_max_hold_days,
        form_size=settings.grouping_form_size,
        lookback_days=settings.grouping_lookback_days,
        hold_if_likely=settings.grouping_hold_if_likely,
        top_up=settings.grouping_top_up,
        lone_gender_wait_days=settings.grouping_lone_gender_wait_days,
    )
