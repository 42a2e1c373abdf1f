"""The rules of the notification service, free of I/O: which messages exist, who gets what, when an SMS
may go out, how failed deliveries are retried, and the key that makes a delivery happen exactly once."""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal, Protocol, TypeVar
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")

MESSAGE_TYPES: tuple[str, ...] = (
    "registration_received",
    "registration_rejected",
    "group_invitation",
    "group_started",
    "first_meeting",
    "schedule_changed",
    "meeting_cancelled",
    "meeting_reminder",
    "absence_notice",
    "meeting_at_risk",
    "admission_vote_request",
    "member_left",
    "group_below_minimum",
    "newcomer_invitation",
    "newcomer_joined",
    "group_ended",
    "erasure_confirmed",
    "waiting_options",
    "invitation_withdrawn",
    "decision_vote_request",
    "decision_outcome",
    "group_merged",
    # a starter's (igangsetter's) and its district office's (starter_messages.py)
    "starter_assigned",
    "starter_reminder",
    "starter_absence",
    "office_group_below_minimum",
    "starter_released",
)

# A person cannot opt out of these: without them they would miss a meeting, an invitation, the duty-to-notify
# loop of their group, or the answer to something they asked us for.
ESSENTIAL: frozenset[str] = frozenset(
    {
        "schedule_changed",
        "meeting_cancelled",
        "first_meeting",
        "group_merged",
        "group_invitation",
        "invitation_withdrawn",  # else they would keep the invitation's time free, or come to the meeting
        "newcomer_invitation",
        "absence_notice",
        # Fewer than four: the group must decide what it wants, and every member has a say.
        "group_below_minimum",
        "erasure_confirmed",
        "registration_rejected",
        "registration_received",
        # A starter cannot opt out: these are its work (and it has no preferences page).
        "starter_assigned",
        "starter_reminder",
        "starter_absence",
        "office_group_below_minimum",
        "starter_released",
    }
)


class Channel(StrEnum):
    email = "email"
    sms = "sms"


class ChannelPreference(StrEnum):
    email = "email"
    sms = "sms"
    both = "both"


# --- quiet hours -------------------------------------------------------------------------------
QUIET_START = time(21, 0)
QUIET_END = time(8, 0)
URGENT_WINDOW = timedelta(hours=12)


def _in_oslo(moment: datetime) -> datetime:
    """Naive datetimes are Oslo wall-clock time (what the calendar publishes); aware ones are converted."""
    return moment.replace(tzinfo=OSLO) if moment.tzinfo is None else moment.astimezone(OSLO)


def _is_quiet(clock: time, quiet_start: time, quiet_end: time) -> bool:
    if quiet_start > quiet_end:  # the usual case: the quiet period spans midnight
        return clock >= quiet_start or clock < quiet_end
    return quiet_start <= clock < quiet_end


def _elapsed(start: datetime, end: datetime) -> timedelta:
    # Subtracting two datetimes that share a ZoneInfo ignores DST shifts; UTC gives the real duration.
    return end.astimezone(UTC) - start.astimezone(UTC)


def sms_allowed_at(
    now_local: datetime,
    meeting_start_local: datetime | None = None,
    quiet_start: time = QUIET_START,
    quiet_end: time = QUIET_END,
    urgent_window: timedelta = URGENT_WINDOW,
) -> bool:
    """No SMS in the quiet hours (Europe/Oslo) unless the meeting it is about starts within the window."""
    now = _in_oslo(now_local)
    if not _is_quiet(now.time(), quiet_start, quiet_end):
        return True
    if meeting_start_local is None:
        return False
    until_meeting = _elapsed(now, _in_oslo(meeting_start_local))
    return timedelta(0) <= until_meeting <= urgent_window


def next_allowed_send_time(
    now_local: datetime,
    meeting_start_local: datetime | None = None,
    quiet_start: time = QUIET_START,
    quiet_end: time = QUIET_END,
    urgent_window: timedelta = URGENT_WINDOW,
) -> datetime:
    """The earliest moment from `now_local` at which `sms_allowed_at` holds: now, the moment the meeting
    comes within the urgent window, or the end of the quiet hours, whichever is first.

    Returns an Oslo-aware datetime for aware input and Oslo wall-clock (naive) for naive input."""
    if sms_allowed_at(now_local, meeting_start_local, quiet_start, quiet_end, urgent_window):
        return now_local
    now = _in_oslo(now_local)
    quiet_over_on = now.date() if now.time() < quiet_end else now.date() + timedelta(days=1)
    # Compared in UTC: datetimes sharing a ZoneInfo compare by wall clock, which is wrong across DST.
    candidate = datetime.combine(quiet_over_on, quiet_end, tzinfo=OSLO).astimezone(UTC)
    if meeting_start_local is not None:
        becomes_urgent = _in_oslo(meeting_start_local).astimezone(UTC) - urgent_window
        if now.astimezone(UTC) < becomes_urgent < candidate:
            candidate = becomes_urgent
    local = candidate.astimezone(OSLO)
    return local.replace(tzinfo=None) if now_local.tzinfo is None else local


# --- retries -----------------------------------------------------------------------------------
class RandomSource(Protocol):
    def uniform(self, a: float, b: float) -> float: ...


RETRY_BASE = timedelta(seconds=2)
RETRY_CAP = timedelta(minutes=15)


def retry_ceiling(attempt: int, base: timedelta = RETRY_BASE, cap: timedelta = RETRY_CAP) -> timedelta:
    """The longest wait before retry number `attempt` (1 = first retry): base doubled per attempt, capped."""
    if attempt < 1:
        raise ValueError("attempt counts failed deliveries and starts at 1")
    # Bounding the exponent keeps 2**n finite; 2**60 × any sane base is far above any cap.
    doubled = base.total_seconds() * 2 ** min(attempt - 1, 60)
    return timedelta(seconds=min(cap.total_seconds(), doubled))


def retry_delay(
    attempt: int,
    base: timedelta = RETRY_BASE,
    cap: timedelta = RETRY_CAP,
    rng: RandomSource = random,  # type: ignore[assignment]
) -> timedelta:
    """Exponential back-off with full jitter: a uniform wait in [0, ceiling], so many failed deliveries
    after an outage do not all hit the mail server again in the same second."""
    ceiling = retry_ceiling(attempt, base, cap).total_seconds()
    return timedelta(seconds=rng.uniform(0.0, ceiling))


def outage_delay(
    down_for: timedelta,
    base: timedelta = RETRY_BASE,
    cap: timedelta = RETRY_CAP,
    rng: RandomSource = random,  # type: ignore[assignment]
) -> timedelta:
    """The wait before trying again a message held up by an outage (mail server down, our login refused)
    that has lasted `down_for`: full jitter below a ceiling that grows with the outage, from `base` up to
    `cap`. Such a message is tried until the outage ends, so the wait has no attempt count to grow from."""
    ceiling = min(cap.total_seconds(), max(base.total_seconds(), down_for.total_seconds()))
    return timedelta(seconds=rng.uniform(0.0, ceiling))


SmtpErrorClass = Literal["transient", "permanent"]


def classify_smtp_error(code: int | None) -> SmtpErrorClass:
    """RFC 5321: 4xx is a temporary failure worth retrying (greylisting, full mailbox, server busy); 5xx is
    final (550 mailbox unknown, 553 bad address). No code at all means the connection failed: retry."""
    if code is None or 400 <= code < 500:
        return "transient"
    if 500 <= code < 600:
        return "permanent"
    raise ValueError(f"SMTP reply {code} is not an error")


# --- recipients and preferences ----------------------------------------------------------------
MemberT = TypeVar("MemberT", bound=Hashable)


def recipients_for_absence(members: Iterable[MemberT], reporter: MemberT) -> list[MemberT]:
    """Everyone else in the group, once each, in the given order; the person who reported never gets
    their own absence notice."""
    seen: set[MemberT] = {reporter}
    recipients = []
    for member in members:
        if member not in seen:
            seen.add(member)
            recipients.append(member)
    return recipients


@dataclass(frozen=True)
class Preferences:
    """What a person chose about messages, and which addresses we hold for them."""

    channel: ChannelPreference = ChannelPreference.email
    opted_out: frozenset[str] = field(default_factory=frozenset)
    """Non-essential message types the person does not want. Essential types listed here are ignored."""
    no_optional_messages: bool = False
    has_email: bool = True
    has_mobile: bool = False


def _wanted_channels(preference: ChannelPreference) -> tuple[Channel, ...]:
    if preference is ChannelPreference.both:
        return (Channel.email, Channel.sms)
    return (Channel(preference.value),)


def channels_for(message_type: str, preferences: Preferences) -> tuple[Channel, ...]:
    """The channels a message goes out on; empty when it should not be sent at all."""
    if message_type not in MESSAGE_TYPES:
        raise ValueError(f"unknown message type {message_type!r}")
    essential = message_type in ESSENTIAL
    if not essential and (preferences.no_optional_messages or message_type in preferences.opted_out):
        return ()
    reachable = {Channel.email: preferences.has_email, Channel.sms: preferences.has_mobile}
    chosen = tuple(channel for channel in _wanted_channels(preferences.channel) if reachable[channel])
    if chosen or not essential:
        return chosen
    # An essential message must reach the person even if the preferred channel has no address on file.
    return tuple(channel for channel in Channel if reachable[channel])


def should_send(message_type: str, preferences: Preferences, channel: Channel | str | None = None) -> bool:
    """Whether to send the message at all (channel None) or on the given channel."""
    channels = channels_for(message_type, preferences)
    return bool(channels) if channel is None else Channel(channel) in channels


# --- exactly-once ------------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class DeliveryKey:
    """One delivery: the event that caused it, to whom, on which channel. Stored with a unique constraint
    so a redelivered event or a restarted worker never sends the same message twice."""

    source_event_id: uuid.UUID
    recipient_id: uuid.UUID
    channel: Channel

    def __post_init__(self) -> None:
        object.__setattr__(self, "channel", Channel(self.channel))

    def __str__(self) -> str:
        return f"{self.source_event_id}:{self.recipient_id}:{self.channel.value}"


# --- group schedule ----------------------------------------------------------------------------
def as_oslo(moment: datetime) -> datetime:
    """An aware Europe/Oslo datetime; naive input is Oslo wall-clock time (what the calendar publishes)."""
    return _in_oslo(moment)


def next_occurrence(anchor: datetime, interval_weeks: int, after: datetime) -> datetime:
    """The first meeting of the series starting at `anchor` that starts at or after `after`.

    Weeks are added in Oslo wall-clock time, so the meeting stays at 18.00 across the DST change."""
    start, limit = _in_oslo(anchor), _in_oslo(after)
    if start >= limit:
        return start
    step = timedelta(weeks=max(1, interval_weeks))
    # Real elapsed time is off by the DST hour from wall-clock weeks: start one step early, walk forward.
    steps = max(0, int(_elapsed(start, limit) / step) - 1)
    candidate = start + steps * step
    while candidate.astimezone(UTC) < limit.astimezone(UTC):
        candidate += step
    return candidate


def respond_by(invited_on: date, first_meeting: datetime, answer_days: int) -> date:
    """The invitation's answer deadline: `answer_days` after it was sent, but no later than the day before
    the first meeting, so the group knows who comes."""
    day_before = _in_oslo(first_meeting).date() - timedelta(days=1)
    return max(invited_on, min(invited_on + timedelta(days=answer_days), day_before))


# --- absence by SMS reply ----------------------------------------------------------------------
ABSENCE_KEYWORDS = frozenset({"KAN IKKE", "KAN IKKJE", "KAN IKKE KOMME", "KAN IKKJE KOMME", "CANT", "CAN'T"})


def is_absence_reply(text: str) -> bool:
    """ "KAN IKKE", "kan ikkje!", "Can't" ... : the keyword alone, in any case, with trailing punctuation."""
    words = re.sub(r"[^\w' ]", " ", str(text).upper().replace("’", "'")).split()
    return " ".join(words) in ABSENCE_KEYWORDS


def normalise_mobile(raw: str) -> str | None:
    """The form registration stores: +47 and eight digits. Anything else is not a Norwegian mobile."""
    digits = re.sub(r"\D", "", str(raw))
    if digits.startswith("0047"):
        digits = digits[4:]
    elif len(digits) == 10 and digits.startswith("47"):
        digits = digits[2:]
    return f"+47{digits}" if re.fullmatch(r"[49]\d{7}", digits) else None


# --- what staff may see of a failure -----------------------------------------------------------
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d\s-]{6,}\d")


def redact(error: str, limit: int = 500) -> str:
    """Provider errors often echo the address ("550 <kari@example.org>: unknown user"); staff see the
    delivery log, so addresses and numbers are replaced before the error is stored."""
    return _PHONE.sub("[number]", _EMAIL.sub("[address]", str(error)))[:limit]


# --- messages that lose their point --------------------------------------------------------------
ABOUT_ONE_MEETING: frozenset[str] = frozenset(
    {"meeting_reminder", "absence_notice", "meeting_at_risk", "starter_reminder"}
)


def too_late(message_type: str, meeting_start: datetime | None, now: datetime) -> bool:
    """A reminder or an absence notice that could only go out after the meeting began is worthless (the
    duty to notify is about telling the others *before*): it is dropped rather than sent late."""
    if message_type not in ABOUT_ONE_MEETING or meeting_start is None:
        return False
    return _in_oslo(meeting_start).astimezone(UTC) <= _in_oslo(now).astimezone(UTC)
