"""This service's copy of groups, and the messages the group's events bring: invitations, the start, newcomers,
schedule changes, reminders, the end."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Uuid, bindparam, case, cast, delete, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by, array, insert
from sqlalchemy.ext.asyncio import AsyncSession

from .. import membership_messages, messages
from ..domain import as_oslo
from ..messages import Group
from ..models import absences, deliveries, group_members, groups
from . import starters, withdrawals
from .deliveries import WAITING_FOR_CONTACT, queue_message
from .people import erased_among, lock_people
from .runtime import Runtime

log = logging.getLogger("selvhjelp.notifications")


async def lock_group(session: AsyncSession, group_id: uuid.UUID) -> None:
    """One transaction at a time per group: group.formed and meeting.scheduled may be handled at the same
    moment by two consumers, and exactly one of them must see both and send the invitations."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtextextended(str(group_id), 0))))


def _members_array(*conditions: Any) -> Any:
    return (
        select(
            func.coalesce(
                func.array_agg(
                    aggregate_order_by(group_members.c.participant_id, group_members.c.participant_id)
                ),
                _NO_MEMBERS,
            )
        )
        .where(group_members.c.group_id == groups.c.group_id, *conditions)
        .scalar_subquery()
    )


_NO_MEMBERS = cast(array([], type_=Uuid), ARRAY(Uuid))
# The group and its members in one statement: a group event's handler reads both, often twice.
_LOAD_GROUP = select(
    groups,
    _members_array(group_members.c.state != "left").label("members"),
    _members_array(group_members.c.state == "invited").label("invited"),
).where(groups.c.group_id == bindparam("group_id"))


async def load_group(session: AsyncSession, group_id: uuid.UUID) -> tuple[Group, Any] | None:
    """The group as messages need it, and its row (with `invited`: the members not yet answered)."""
    row = (await session.execute(_LOAD_GROUP, {"group_id": group_id})).one_or_none()
    if row is None:
        return None
    group = Group(
        group_id=group_id,
        state=row.state,
        district=row.district,
        respond_by=row.respond_by,
        first_meeting=row.first_meeting,
        interval_weeks=row.interval_weeks or 1,
        duration_minutes=row.duration_minutes or 120,
        venue_name=row.venue_name,
        venue_address=row.venue_address,
        meeting_url=row.meeting_url,
        starter_name=row.starter_name,
        starter_meetings=row.starter_meetings if row.starter_meetings is not None else 3,
        paused_from=row.paused_from,
        last_day=row.last_day,
        members=tuple(row.members),
    )
    return group, row


async def save_group(
    session: AsyncSession, group_id: uuid.UUID, *, state_if_unknown: str | None = None, **values: Any
) -> None:
    """Insert or update this service's copy of a group. `state_if_unknown`: the state to take unless the
    group already has a known one (the group's events may arrive in any order)."""
    values["updated_at"] = func.now()
    inserted = dict(values)
    if state_if_unknown is not None:
        inserted["state"] = state_if_unknown
        values["state"] = case((groups.c.state == "unknown", state_if_unknown), else_=groups.c.state)
    await session.execute(
        insert(groups)
        .values(group_id=group_id, **inserted)
        .on_conflict_do_update(index_elements=["group_id"], set_=values)
    )


async def set_members(
    session: AsyncSession, group_id: uuid.UUID, members: Iterable[uuid.UUID], state: str, *, overwrite: bool
) -> None:
    members = list(members)
    await lock_people(session, members)
    erased = await erased_among(session, members)  # a group event late for an erasure names no one gone
    rows = [
        {"group_id": group_id, "participant_id": member, "state": state}
        for member in members
        if member not in erased
    ]
    if not rows:
        return
    statement = insert(group_members).values(rows)
    if overwrite:
        statement = statement.on_conflict_do_update(
            index_elements=["group_id", "participant_id"], set_={"state": statement.excluded.state}
        )
    else:
        statement = statement.on_conflict_do_nothing()
    await session.execute(statement)


async def group_formed(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    await lock_group(session, data.group_id)
    await save_group(
        session,
        data.group_id,
        state_if_unknown="formed",
        district=data.district,
        respond_by=getattr(data, "respond_by", None),
        formed_event_id=event_id,
    )
    await set_members(session, data.group_id, data.members, "invited", overwrite=False)
    await _send_pending(session, rt, data.group_id)


async def meeting_scheduled(session: AsyncSession, rt: Runtime, data: Any) -> None:
    await lock_group(session, data.group_id)
    await save_group(
        session,
        data.group_id,
        state_if_unknown="unknown",
        first_meeting=as_oslo(data.first_meeting),
        interval_weeks=data.interval_weeks,
        duration_minutes=data.duration_minutes,
        venue_name=data.venue_name,
        venue_address=data.venue_address,
        meeting_url=data.meeting_url,
        starter_name=getattr(data, "starter_name", None),
        starter_meetings=data.starter_meetings,
    )
    await _send_pending(session, rt, data.group_id)


async def group_started(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    await lock_group(session, data.group_id)
    # The started group is exactly these members: whoever else was invited did not come along.
    await session.execute(
        update(group_members)
        .where(group_members.c.group_id == data.group_id, group_members.c.participant_id.not_in(data.members))
        .values(state="left")
    )
    await set_members(session, data.group_id, data.members, "active", overwrite=True)
    await save_group(session, data.group_id, state="started", started_event_id=event_id)
    await _send_pending(session, rt, data.group_id)
    await starters.share_first_names(session, rt, data.group_id, list(data.members))


async def _send_pending(session: AsyncSession, rt: Runtime, group_id: uuid.UUID) -> None:
    """Invitations need the group formed and scheduled; the start messages need it started and scheduled.
    Whichever event completes the pair sends them, keyed by the grouping event so they go once."""
    loaded = await load_group(session, group_id)
    assert loaded is not None
    group, row = loaded
    now = rt.clock()
    if not group.scheduled or group.state == "ended":
        return
    if row.formed_event_id and row.invitations_queued_at is None and group.state == "formed":
        message = messages.group_invitation(
            group,
            list(row.invited),
            row.formed_event_id,
            rt.links,
            today=as_oslo(now).date(),
            answer_days=rt.settings.invitation_days,
        )
        await queue_message(session, message, now=now)
        await save_group(session, group_id, invitations_queued_at=now)
    if row.started_event_id and row.start_queued_at is None:
        # A group paused or ended before its start has no first meeting to announce; if it meets again,
        # the members hear the time from that change.
        if group.next_meeting(now) is not None:
            for message in messages.group_started(group, row.started_event_id, rt.links, now=now):
                await queue_message(session, message, now=now)
        await save_group(
            session, group_id, start_queued_at=now, invitations_queued_at=row.invitations_queued_at or now
        )


async def member_joined(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    await lock_group(session, data.group_id)
    loaded = await load_group(session, data.group_id)
    started = loaded is not None and loaded[0].state == "started"
    await set_members(
        session, data.group_id, [data.participant_id], "active" if started else "invited", overwrite=True
    )
    if loaded is None:
        return  # group.formed has not reached us yet: the invitation goes out with the others
    group, row = (await load_group(session, data.group_id)) or loaded  # again: now counting the newcomer
    now = rt.clock()
    if started and group.scheduled:
        # A newcomer the group voted in: their first meeting is the group's next one.
        start = group.next_meeting(now)
        if start is not None:  # none while the group pauses: the newcomer hears the time when it resumes
            first = messages.first_meeting(group, [data.participant_id], event_id, rt.links, start)
            await queue_message(session, first, now=now)
            others = [m for m in group.members if m != data.participant_id]
            told = membership_messages.newcomer_joined(group, others, event_id, rt.links, start)
            await queue_message(session, told, now=now)
    elif row.invitations_queued_at is not None and group.scheduled:
        # Filled up after the invitations went out: this person is invited now.
        invitation = messages.group_invitation(
            group,
            [data.participant_id],
            event_id,
            rt.links,
            today=as_oslo(now).date(),
            answer_days=rt.settings.invitation_days,
        )
        await queue_message(session, invitation, now=now)


async def member_left(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    if data.returned_to_pool:  # before the update: it asks whether they had been invited
        await withdrawals.invitation_withdrawn(session, rt, data, event_id)
    await session.execute(
        update(group_members)
        .where(
            group_members.c.group_id == data.group_id, group_members.c.participant_id == data.participant_id
        )
        .values(state="left")
    )
    # Whoever left has nothing more to hear about the group. A message about it still waiting for their
    # contact details goes too: it would otherwise wait for ever, e.g. for someone erased a moment before
    # the group's events reached us.
    await session.execute(
        delete(deliveries).where(
            deliveries.c.recipient_id == data.participant_id,
            deliveries.c.group_id == data.group_id,
            WAITING_FOR_CONTACT,
        )
    )


async def group_ended(session: AsyncSession, rt: Runtime, group_id: uuid.UUID, event_id: uuid.UUID) -> None:
    """Tell the members, then forget who they were: membership is itself sensitive."""
    await lock_group(session, group_id)
    loaded = await load_group(session, group_id)
    if loaded is None:
        return
    group, row = loaded
    if row.invitations_queued_at is not None:  # members who never heard of the group are not told it ended
        await queue_message(session, messages.group_ended(group, event_id, rt.links), now=rt.clock())
    await session.execute(delete(group_members).where(group_members.c.group_id == group_id))
    await session.execute(delete(absences).where(absences.c.group_id == group_id))
    await save_group(session, group_id, state="ended")


async def meeting_changed(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    await lock_group(session, data.group_id)
    loaded = await load_group(session, data.group_id)
    if loaded is None or not loaded[0].scheduled:
        log.warning("meeting change for a group without a schedule; nobody to tell")
        return
    now = rt.clock()
    if data.occurrence is not None:  # one meeting moved; the series stays as it was
        change = messages.schedule_changed(
            loaded[0],
            event_id,
            rt.links,
            occurrence=data.occurrence,
            new_start=data.new_start or data.occurrence,
        )
        await queue_message(session, change, now=now)
        return
    if data.paused_from is not None or data.last_day is not None:
        # No new time to announce: the members hear of the pause or the end, and no later "next meeting"
        # (a newcomer's first, an SMS reply's) is made up inside it.
        values = {"paused_from": data.paused_from} if data.paused_from else {"last_day": data.last_day}
        changed = {"paused_from": data.paused_from, "last_day": data.last_day}
    elif data.new_start is not None:
        # A new regular time (or frequency, or the end of a pause): later reminders, absences and SMS
        # replies follow the new anchor and frequency.
        values = {"first_meeting": as_oslo(data.new_start), "paused_from": None, "last_day": None}
        if data.interval_weeks is not None:
            values["interval_weeks"] = data.interval_weeks
        changed = {"new_start": data.new_start}
    else:
        log.warning("series change without a new time, pause or end; nothing to tell")
        return
    await save_group(session, data.group_id, **values)
    group = (await load_group(session, data.group_id))[0]  # type: ignore[index]
    await queue_message(session, messages.schedule_changed(group, event_id, rt.links, **changed), now=now)


async def meeting_cancelled(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    loaded = await load_group(session, data.group_id)
    if loaded is None:
        log.warning("cancelled meeting of an unknown group; nobody to tell")
        return
    await queue_message(
        session,
        messages.meeting_cancelled(loaded[0], event_id, data.occurrence, data.next_meeting),
        now=rt.clock(),
    )


async def _absent_for(session: AsyncSession, group_id: uuid.UUID, start: datetime) -> set[uuid.UUID]:
    return set(
        (
            await session.execute(
                select(absences.c.participant_id).where(
                    absences.c.group_id == group_id, absences.c.meeting_start == start
                )
            )
        ).scalars()
    )


async def reminder_due(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    loaded = await load_group(session, data.group_id)
    if loaded is None or not loaded[0].scheduled:
        log.warning("reminder for a group without a schedule; nothing to say where")
        return
    group = loaded[0]
    start = as_oslo(data.meeting_start)
    already_absent = await _absent_for(session, data.group_id, start)
    recipients = [m for m in data.members if m not in already_absent]
    message = messages.meeting_reminder(group, recipients, event_id, rt.links, start)
    await queue_message(session, message, now=rt.clock())
    await starters.remind_starter(session, rt, group, data, event_id)


async def meeting_at_risk(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    loaded = await load_group(session, data.group_id)
    if loaded is None:
        return
    group = loaded[0]
    start = as_oslo(data.meeting_start)
    already_absent = await _absent_for(session, data.group_id, start)
    recipients = [m for m in group.members if m not in already_absent]
    message = messages.meeting_at_risk(
        group,
        recipients,
        event_id,
        rt.links,
        start=start,
        absent=data.absent,
        expected=data.expected,
    )
    await queue_message(session, message, now=rt.clock())


async def admission_requested(session: AsyncSession, rt: Runtime, data: Any, event_id: uuid.UUID) -> None:
    loaded = await load_group(session, data.group_id)
    group = loaded[0] if loaded else Group(group_id=data.group_id)
    message = messages.admission_vote_request(
        group,
        data.members,
        event_id,
        rt.links,
        request_id=data.request_id,
        vote_by=data.vote_by,
        wanted=getattr(data, "wanted", None),
        candidates=getattr(data, "candidates", None),
    )
    await queue_message(session, message, now=rt.clock())
