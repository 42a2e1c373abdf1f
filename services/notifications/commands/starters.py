"""Telling a starter (igangsetter) and its district office what concerns them (calendar's starter.*.v1
events and the starter's reminders; words in starter_messages.py and templates/messages/<lang>/starter_*).

A starter's contact row comes with each starter.assigned.v1 (the calendar owns the starter's details); a
district office's from settings (`DISTRICT_OFFICE_EMAILS`): both are kept in `contacts` under their own
ids, so the sender reaches them as it reaches a participant."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import StarterRosterShared
from shared.contracts.starters import MemberFirstName
from shared.reference import districts

from .. import starter_messages
from ..messages import Group, Message
from ..models import contacts, groups
from .deliveries import queue_message
from .runtime import SOURCE, Runtime

log = logging.getLogger("selvhjelp.notifications")


async def _keep_contact(
    session: AsyncSession, contact_id: uuid.UUID, name: str, email: str, language: str
) -> Any:
    statement = insert(contacts).values(
        participant_id=contact_id, name=name, email=email, mobile=None, language=language, channel="email"
    )
    statement = statement.on_conflict_do_update(
        index_elements=["participant_id"],
        set_={
            "name": statement.excluded.name,
            "email": statement.excluded.email,
            "language": statement.excluded.language,
            "updated_at": func.now(),
        },
    ).returning(*contacts.c)
    return (await session.execute(statement)).one()


async def starter_assigned(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    contact = await _keep_contact(session, data.starter_id, data.first_name, data.email, str(data.language))
    message = starter_messages.starter_assigned(data, event_id, rt.settings.calendar_url)
    await queue_message(session, message, now=rt.clock(), known={data.starter_id: contact})


async def tell_office(session: AsyncSession, rt: Runtime, district: str, message: Message) -> None:
    """To the district office's address (`DISTRICT_OFFICE_EMAILS`); without one its console shows it."""
    address = rt.settings.district_office_emails.get(district)
    if not address:
        log.info("no e-mail for the district office; its console shows it")
        return
    office = starter_messages.office_recipient(district)
    name = next((d.name for d in districts() if d.id == district), district)
    contact = await _keep_contact(session, office, name, address, "nb")
    await queue_message(session, message, now=rt.clock(), known={office: contact})


async def starter_absence_reported(
    session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID
) -> None:
    """The replacements page lists it in any case."""
    message = starter_messages.starter_absence(data, event_id, rt.settings.calendar_url)
    await tell_office(session, rt, data.district, message)


async def starter_released(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    await queue_message(session, starter_messages.starter_released(data, event_id), now=rt.clock())


async def remind_starter(
    session: AsyncSession, rt: Runtime, group: Group, data: Any, event_id: uuid.UUID
) -> None:
    """reminder.due.v1 names the starter booked for the meeting (none once it said it cannot come)."""
    starter_id = getattr(data, "starter_id", None)
    if starter_id is None:
        return
    message = starter_messages.starter_reminder(
        group, starter_id, event_id, data.meeting_start, rt.settings.calendar_url
    )
    await queue_message(session, message, now=rt.clock())


async def share_first_names(
    session: AsyncSession, rt: Runtime, group_id: uuid.UUID, members: list[uuid.UUID]
) -> None:
    """The group has started: its starter may see the members' first names (issue 20). Only a group with a
    starter (known from meeting.scheduled.v1) gets them, and only the first word of each name."""
    has_starter = await session.scalar(select(groups.c.starter_name).where(groups.c.group_id == group_id))
    if not has_starter:
        return
    rows = (
        await session.execute(
            select(contacts.c.participant_id, contacts.c.name).where(contacts.c.participant_id.in_(members))
        )
    ).all()
    names = [
        MemberFirstName(participant_id=p, first_name=(name.split() or [""])[0])
        for p, name in rows
        if name.strip()
    ]
    event = StarterRosterShared(group_id=group_id, members=sorted(names, key=lambda m: m.first_name))
    await rt.outbox.add(session, event.envelope(source=SOURCE))
