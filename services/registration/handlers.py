"""The registration service's AMQP handlers: which use case each event it consumes calls. One table for
its three queues (intake, erasure reports, placements): each queue only carries the events bound to it
(shared/messaging/topology.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import Envelope
from shared.messaging.consumer import Handler

from . import commands, group_left, history, submissions, waiting_options

if TYPE_CHECKING:
    from .app import RegistrationService


def make_handlers(service: RegistrationService) -> dict[str, Handler]:
    outbox, identity_key, partners = service.outbox, service.identity_key, service.partners

    async def on_registration_submitted(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await submissions.take_submission(session, outbox, envelope, identity_key, partners)

    async def on_group_formed(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.group_formed(session, envelope)

    async def on_invitation_answered(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await history.invitation_answered(session, envelope)

    async def on_group_started(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.mark_placed(session, list(envelope.data.members), envelope.data.group_id)

    async def on_group_member_joined(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.mark_placed(session, [envelope.data.participant_id], envelope.data.group_id)

    async def on_groups_merged(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.mark_placed(session, list(envelope.data.moved), envelope.data.into_group_id)

    async def on_group_member_left(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await group_left.member_left(session, envelope)

    async def on_group_closed(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.mark_left_group(
            session, envelope.data.group_id, envelope.occurred_at, list(envelope.data.members)
        )

    async def on_waiting_options(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await waiting_options.store(session, envelope.data)

    async def on_participant_data_deleted(session: AsyncSession, envelope: Envelope[Any]) -> None:
        await commands.record_erasure_report(session, envelope.data)

    return {
        "registration.submitted.v1": on_registration_submitted,
        "participant.data_deleted.v1": on_participant_data_deleted,
        "group.formed.v1": on_group_formed,
        "group.invitation_answered.v1": on_invitation_answered,
        "group.started.v1": on_group_started,
        "group.member_joined.v1": on_group_member_joined,
        "group.member_left.v1": on_group_member_left,
        "group.merged.v1": on_groups_merged,
        "group.ended.v1": on_group_closed,
        "group.dissolved.v1": on_group_closed,
        "participant.waiting_options_changed.v1": on_waiting_options,
    }
