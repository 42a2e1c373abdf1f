"""Quiet hours, back-off, SMTP classification, who hears about an absence, preferences, delivery keys."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.notifications.domain import (
    ESSENTIAL,
    MESSAGE_TYPES,
    OSLO,
    Channel,
    ChannelPreference,
    DeliveryKey,
    Preferences,
    classify_smtp_error,
    next_allowed_send_time,
    outage_delay,
    recipients_for_absence,
    retry_ceiling,
    retry_delay,
    should_send,
    sms_allowed_at,
)

pytestmark = pytest.mark.unit


def at(hour: int, minute: int = 0, day: int = 10) -> datetime:
    """Oslo wall-clock time on a Tuesday in March 2026 (before the switch to summer time)."""
    return datetime(2026, 3, day, hour, minute)


# --- quiet hours ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("now", "allowed"),
    [
        (at(20, 59), True),
        (at(21, 0), False),
        (at(23, 30), False),
        (at(0, 0), False),
        (at(7, 59), False),
        (at(8, 0), True),
        (at(12, 0), True),
    ],
)
def test_no_sms_in_quiet_hours(now: datetime, allowed: bool) -> None:
    assert sms_allowed_at(now) is allowed


@pytest.mark.parametrize(
    ("now_utc", "allowed"),
    [
        (datetime(2026, 1, 13, 19, 59, tzinfo=UTC), True),  # 20:59 in Oslo (CET)
        (datetime(2026, 1, 13, 20, 0, tzinfo=UTC), False),  # 21:00 CET
        (datetime(2026, 7, 14, 18, 59, tzinfo=UTC), True),  # 20:59 in Oslo (CEST)
        (datetime(2026, 7, 14, 19, 0, tzinfo=UTC), False),  # 21:00 CEST
        (datetime(2026, 7, 14, 6, 0, tzinfo=UTC), True),  # 08:00 CEST
    ],
)
def test_quiet_hours_are_oslo_time_whatever_zone_the_clock_is_in(now_utc: datetime, allowed: bool) -> None:
    assert sms_allowed_at(now_utc) is allowed


@pytest.mark.parametrize(
    ("meeting", "allowed"),
    [
        (at(9, 0, day=11), True),  # 11 hours away
        (at(10, 0, day=11), True),  # exactly at the edge of the 12-hour window
        (at(10, 30, day=11), False),  # 12.5 hours away: it can wait until 08:00
        (at(18, 0, day=10), False),  # already over
    ],
)
def test_an_urgent_meeting_breaks_the_quiet(meeting: datetime, allowed: bool) -> None:
    assert sms_allowed_at(at(22, 0), meeting) is allowed


def test_quiet_hours_and_window_can_be_configured() -> None:
    assert sms_allowed_at(at(21, 30), quiet_start=time(22, 0), quiet_end=time(7, 0))
    assert not sms_allowed_at(at(6, 30), quiet_start=time(22, 0), quiet_end=time(7, 0))
    assert sms_allowed_at(at(22, 0), at(23, 0), urgent_window=timedelta(hours=2))
    assert not sms_allowed_at(at(22, 0), at(9, 0, day=11), urgent_window=timedelta(hours=2))


@pytest.mark.parametrize(
    ("now", "meeting", "expected"),
    [
        (at(12, 0), None, at(12, 0)),
        (at(22, 0), None, at(8, 0, day=11)),
        (at(3, 0), None, at(8, 0)),
        (at(21, 0), at(9, 0, day=11), at(21, 0)),  # urgent already
        (at(22, 0), at(11, 0, day=11), at(23, 0)),  # becomes urgent 12 hours before the meeting
        (at(22, 0), at(18, 0, day=11), at(6, 0, day=11)),  # the rule allows it once within 12 hours
        (at(22, 0), at(20, 30, day=11), at(8, 0, day=11)),
    ],
)
def test_next_allowed_send_time(now: datetime, meeting: datetime | None, expected: datetime) -> None:
    assert next_allowed_send_time(now, meeting) == expected


def test_next_allowed_send_time_keeps_aware_input_aware() -> None:
    now = datetime(2026, 3, 10, 22, 0, tzinfo=UTC)  # 23:00 in Oslo

    assert next_allowed_send_time(now) == datetime(2026, 3, 11, 8, 0, tzinfo=OSLO)


@given(
    now=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
    meeting_in=st.none() | st.timedeltas(min_value=timedelta(hours=-3), max_value=timedelta(days=3)),
)
def test_next_allowed_send_time_is_never_early_and_always_allowed(
    now: datetime, meeting_in: timedelta | None
) -> None:
    meeting = None if meeting_in is None else now + meeting_in
    send_at = next_allowed_send_time(now, meeting)

    assert send_at.replace(tzinfo=OSLO).astimezone(UTC) >= now.replace(tzinfo=OSLO).astimezone(UTC)
    assert send_at - now <= timedelta(hours=11, minutes=1)  # 21:00 -> 08:00 is the longest wait
    assert sms_allowed_at(send_at, meeting)


# --- retries -------------------------------------------------------------------------------------
class Highest:
    """A random source that always draws the top of the range, to see the ceiling."""

    def uniform(self, a: float, b: float) -> float:
        return b


def test_back_off_doubles_up_to_the_cap() -> None:
    delays = [retry_delay(attempt, rng=Highest()).total_seconds() for attempt in range(1, 12)]

    assert delays[:5] == [2, 4, 8, 16, 32]
    assert delays == sorted(delays)
    assert max(delays) == 15 * 60


def test_back_off_has_full_jitter_within_the_ceiling() -> None:
    rng = random.Random(7)
    delays = [retry_delay(5, rng=rng) for _ in range(200)]

    assert all(timedelta(0) <= delay <= retry_ceiling(5) for delay in delays)
    assert len(set(delays)) > 150  # spread out, not synchronised


@given(attempt=st.integers(min_value=1, max_value=100_000), seed=st.integers())
def test_back_off_is_bounded(attempt: int, seed: int) -> None:
    delay = retry_delay(attempt, rng=random.Random(seed))

    assert timedelta(0) <= delay <= timedelta(minutes=15)
    assert retry_ceiling(attempt) <= retry_ceiling(attempt + 1)


def test_attempts_count_from_one() -> None:
    with pytest.raises(ValueError):
        retry_delay(0)


def test_an_outage_waits_longer_the_longer_it_lasts_up_to_the_cap() -> None:
    ceilings = [
        outage_delay(timedelta(seconds=down), rng=Highest()).total_seconds()
        for down in (0, 1, 60, 600, 3600, 86_400)
    ]

    assert ceilings == [2, 2, 60, 600, 900, 900]


@given(down=st.integers(min_value=0, max_value=10**9), seed=st.integers())
def test_an_outage_wait_is_jittered_and_bounded(down: int, seed: int) -> None:
    assert (
        timedelta(0)
        <= outage_delay(timedelta(seconds=down), rng=random.Random(seed))
        <= timedelta(minutes=15)
    )


# --- SMTP ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("code", [421, 450, 451, 452, 454])
def test_4xx_is_worth_retrying(code: int) -> None:
    assert classify_smtp_error(code) == "transient"


@pytest.mark.parametrize("code", [550, 551, 552, 553, 554])
def test_5xx_is_final(code: int) -> None:
    assert classify_smtp_error(code) == "permanent"


def test_no_reply_at_all_is_a_connection_failure_worth_retrying() -> None:
    assert classify_smtp_error(None) == "transient"


def test_success_codes_are_not_errors() -> None:
    with pytest.raises(ValueError):
        classify_smtp_error(250)


# --- absence -------------------------------------------------------------------------------------
def test_absence_goes_to_everyone_else() -> None:
    members = [uuid.uuid4() for _ in range(6)]
    reporter = members[2]

    recipients = recipients_for_absence(members, reporter)

    assert reporter not in recipients
    assert recipients == members[:2] + members[3:]


def test_absence_recipients_are_listed_once() -> None:
    first, second, reporter = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    assert recipients_for_absence([first, reporter, second, first, reporter], reporter) == [first, second]


@given(members=st.lists(st.uuids(), max_size=10), pick=st.integers(min_value=0))
def test_the_reporter_never_hears_of_their_own_absence(members: list[uuid.UUID], pick: int) -> None:
    reporter = members[pick % len(members)] if members else uuid.uuid4()

    recipients = recipients_for_absence(members, reporter)

    assert reporter not in recipients
    assert set(recipients) == set(members) - {reporter}


# --- preferences ---------------------------------------------------------------------------------
NON_ESSENTIAL = [message_type for message_type in MESSAGE_TYPES if message_type not in ESSENTIAL]


@pytest.mark.parametrize("message_type", sorted(ESSENTIAL))
def test_essential_messages_cannot_be_opted_out_of(message_type: str) -> None:
    preferences = Preferences(opted_out=frozenset(MESSAGE_TYPES), no_optional_messages=True)

    assert should_send(message_type, preferences)


@pytest.mark.parametrize("message_type", NON_ESSENTIAL)
def test_optional_messages_honour_opt_out(message_type: str) -> None:
    assert should_send(message_type, Preferences())
    assert not should_send(message_type, Preferences(opted_out=frozenset({message_type})))
    assert not should_send(message_type, Preferences(no_optional_messages=True))


@pytest.mark.parametrize(
    ("preference", "email", "sms"),
    [
        (ChannelPreference.email, True, False),
        (ChannelPreference.sms, False, True),
        (ChannelPreference.both, True, True),
    ],
)
def test_channel_preference(preference: ChannelPreference, email: bool, sms: bool) -> None:
    preferences = Preferences(channel=preference, has_email=True, has_mobile=True)

    assert should_send("meeting_reminder", preferences, Channel.email) is email
    assert should_send("meeting_reminder", preferences, "sms") is sms


def test_essential_message_falls_back_to_the_channel_we_can_reach() -> None:
    sms_only_wanted_but_no_mobile = Preferences(
        channel=ChannelPreference.sms, has_email=True, has_mobile=False
    )

    assert should_send("meeting_cancelled", sms_only_wanted_but_no_mobile, Channel.email)
    assert not should_send("meeting_reminder", sms_only_wanted_but_no_mobile)


def test_unknown_message_type_is_refused() -> None:
    with pytest.raises(ValueError):
        should_send("newsletter", Preferences())


# --- exactly once --------------------------------------------------------------------------------
def test_delivery_key_identifies_one_delivery() -> None:
    event, person = uuid.uuid4(), uuid.uuid4()

    assert DeliveryKey(event, person, Channel.email) == DeliveryKey(event, person, "email")  # type: ignore[arg-type]
    assert len({DeliveryKey(event, person, Channel.email), DeliveryKey(event, person, Channel.sms)}) == 2
    assert str(DeliveryKey(event, person, Channel.sms)) == f"{event}:{person}:sms"
