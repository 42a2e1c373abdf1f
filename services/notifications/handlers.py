"""The notification service's AMQP handlers: which use case each event it consumes calls."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Envelope
from shared.messaging.consumer import Handler

from .commands import contacts, decisions, groups, leaving, newcomers, starters, waiting

if TYPE_CHECKING:
    from .app import NotificationService

log = logging.getLogger("selvhjelp.notifications")


def make_handlers(service: NotificationService) -> dict[str, Handler]:
    rt, channels = service.runtime, service.channels

    async def on_contact_registered(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await contacts.register_contact(session, rt, envelope)

    async def on_contact_changed(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await contacts.change_contact(session, envelope)

    async def on_registration_rejected(session: AsyncSession, envelope: Envelope[Any]) -> None:
        # A refused submission never became a participant: there is no contact here to write to. The
        # sending system gets this very event and tells the person itself.
        log.info("registration_rejected not sent: the rejection names no participant we can reach")

    async def on_group_formed(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await groups.group_formed(session, rt, envelope.data, envelope.event_id)

    async def on_meeting_scheduled(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await groups.meeting_scheduled(session, rt, envelope.data)

    async def on_group_started(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await groups.group_started(session, rt, envelope.data, envelope.event_id)

    async def on_member_joined(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await groups.member_joined(session, rt, envelope.data, envelope.event_id)

    async def on_member_left(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await leaving.member_left(session, rt, envelope.data, envelope.event_id)

    async def on_below_minimum(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await leaving.below_minimum(session, rt, envelope.data, envelope.event_id)

    async def on_group_ended(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await groups.group_ended(session, rt, envelope.data.group_id, envelope.event_id)

    async def on_meeting_changed(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await groups.meeting_changed(session, rt, envelope.data, envelope.event_id)

    async def on_meeting_cancelled(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await groups.meeting_cancelled(session, rt, envelope.data, envelope.event_id)

    async def on_reminder_due(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await groups.reminder_due(session, rt, envelope.data, envelope.event_id)

    async def on_meeting_at_risk(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await groups.meeting_at_risk(session, rt, envelope.data, envelope.event_id)

    async def on_admission_requested(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await groups.admission_requested(session, rt, envelope.data, envelope.event_id)

    async def on_waiting_options(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await waiting.waiting_options(session, rt, envelope)

    async def on_newcomer_invited(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await newcomers.newcomer_invited(session, rt, envelope.data, envelope.event_id)

    async def on_decision_opened(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await decisions.decision_opened(session, rt, envelope.data, envelope.event_id)

    async def on_decision_reached(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await decisions.decision_reached(session, rt, envelope.data, envelope.event_id)

    async def on_groups_merged(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await decisions.groups_merged(session, rt, envelope.data, envelope.event_id)

    async def on_starter_assigned(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await starters.starter_assigned(session, rt, envelope.data, envelope.event_id)

    async def on_starter_absence(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await starters.starter_absence_reported(session, rt, envelope.data, envelope.event_id)

    async def on_starter_released(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await starters.starter_released(session, rt, envelope.data, envelope.event_id)

    async def on_participant_erased(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await contacts.erase_person(session, rt, channels, envelope)

    return {
        "participant.contact_registered.v1": on_contact_registered,
        "participant.contact_changed.v1": on_contact_changed,
        "registration.rejected.v1": on_registration_rejected,
        "participant.erased.v1": on_participant_erased,
        "participant.waiting_options_changed.v1": on_waiting_options,
        "group.formed.v1": on_group_formed,
        "group.started.v1": on_group_started,
        "group.member_joined.v1": on_member_joined,
        "group.member_left.v1": on_member_left,
        "group.below_minimum.v1": on_below_minimum,
        "group.ended.v1": on_group_ended,
        "group.dissolved.v1": on_group_ended,
        "group.admission_requested.v1": on_admission_requested,
        "group.newcomer_invited.v1": on_newcomer_invited,
        "group.decision_opened.v1": on_decision_opened,
        "group.decision_reached.v1": on_decision_reached,
        "group.merged.v1": on_groups_merged,
        "meeting.scheduled.v1": on_meeting_scheduled,
        "meeting.changed.v1": on_meeting_changed,
        "meeting.cancelled.v1": on_meeting_cancelled,
        "meeting.at_risk.v1": on_meeting_at_risk,
        "reminder.due.v1": on_reminder_due,
        "starter.assigned.v1": on_starter_assigned,
        "starter.absence_reported.v1": on_starter_absence,
        "starter.released.v1": on_starter_released,
    }
