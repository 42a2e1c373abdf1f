"""The deployment's settings in the calendar's domain terms."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.calendar.config import CalendarConfig, reminder_kind
from services.calendar.domain import DateRange
from services.calendar.reminding import reminder_event_id
from shared.auth import verify_link
from shared.keys import Keyring
from shared.settings import Settings

pytestmark = pytest.mark.unit


def test_settings_become_rules_offsets_and_breaks() -> None:
    settings = Settings(
        calendar_notice_days=10,
        calendar_reminder_hours=[48, 1.5],
        calendar_breaks={"nord": [(date(2027, 7, 1), date(2027, 7, 31), "summer")]},
        calendar_plan_horizon_days=182,
    )
    config = CalendarConfig.from_settings(settings)
    assert config.rules.notice_days == 10
    assert [reminder_kind(offset) for offset in config.reminder_offsets] == ["48h", "1.5h"]
    assert config.rules.breaks_for("nord") == (DateRange(date(2027, 7, 1), date(2027, 7, 31), "summer"),)
    assert config.rules.breaks_for("vest") == ()
    # Every meeting that gets booked (26 weeks ahead) must have been checked free when scheduling.
    assert config.rules.horizon_meetings >= 26 and config.horizon == timedelta(days=182)


def test_feed_paths_carry_a_link_signed_for_that_feed_only() -> None:
    config = CalendarConfig.from_settings(Settings(signing_key="calendar-unit-test-signing-key-32b"))
    group = uuid.uuid4()
    token = config.group_feed_path(group).removeprefix("/feeds/groups/").removesuffix(".ics")
    assert verify_link(Keyring.single("calendar-unit-test-signing-key-32b"), "group-feed", token) == group
    with pytest.raises(Exception, match="signature"):
        verify_link(Keyring.single("calendar-unit-test-signing-key-32b"), "participant-feed", token)


def test_a_reminder_has_one_event_id_whatever_the_offset_its_start_is_written_in() -> None:
    group = uuid.uuid4()
    oslo = datetime(2027, 2, 2, 18, tzinfo=ZoneInfo("Europe/Oslo"))
    utc = oslo.astimezone(ZoneInfo("UTC"))
    assert reminder_event_id(group, oslo, "24h") == reminder_event_id(group, utc, "24h")
    assert reminder_event_id(group, oslo, "24h") != reminder_event_id(group, oslo, "2h")
