"""Commands of the notification service. Each runs inside the caller's transaction: what it learns about
groups, the deliveries it queues and the events it stages commit together or not at all, so a redelivered
event (skipped by the inbox) or a retried transaction never queues a message twice."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Text,
    Uuid,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by, array, insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.contracts import AbsenceReported, Envelope
from shared.db.locks import lock_keys
from shared.messaging import Outbox
from shared.settings import Settings

from . import messages
from .domain import (
    ESSENTIAL,
    ChannelPreference,
    Preferences,
    as_oslo,
    channels_for,
    recipients_for_absence,
)
from .links import Links
from .messages import Group, Message
from .models import absences, contacts, deliveries, group_members, groups, outbox

SOURCE = "notifications"
log = logging.getLogger("selvhjelp.notifications")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Runtime:
    """What commands need besides the session: settings, the link signer, the clock and the outbox."""

    settings: Settings
    links: Links
    clock: Clock
    outbox: Outbox


# --- queueing deliveries -------------------------------------------------------------------------
def preferences_of(contact: Any) -> Preferences:
    try:
        channel = ChannelPreference(contact.channel)
    except ValueError:
        channel = ChannelPreference.both
    return Preferences(
        channel=channel,
        no_optional_messages=contact.non_essential_opt_out == "true",
        has_email=bool(contact.email),
        has_mobile=bool(contact.mobile),
    )


def _json(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"cannot store {type(value).__name__} in a message context")


NO_CONTACT = "no contact details on file"


# --- one person at a time: what is queued about someone, and their erasure --------------------------
# The two queues (ADR 0007) let a group's event and a person's erasure be handled at the same moment in two
# transactions that do not see each other's rows: a delivery or membership written beside the erasure
# would outlive it. So whatever writes rows about a person first takes a shared lock on them, and the
# erasure an exclusive one: it waits for those writers to commit and then deletes what they wrote; a
# writer that comes second waits for the erasure to commit and then sees that the person is gone.
# Writers share the lock, so they never wait for each other (nor deadlock).

# The erasure's own trail says who was erased: this service's participant.data_deleted.v1 events (ids
# only), which stay in the outbox (docs/quality.md; partial index ix_outbox_data_deleted).
DATA_DELETED = "participant.data_deleted.v1"
_ERASED_ID = literal_column("payload #>> '{data,participant_id}'", Text)


def _person_keys(people: Iterable[uuid.UUID]) -> list[int]:
    return [int.from_bytes(p.bytes[:8], "big", signed=True) for p in people]


async def lock_people(session: AsyncSession, people: Iterable[uuid.UUID]) -> None:
    """Before writing rows about these people (or reading their contacts to do so): see above. Each later
    statement of the transaction sees an erasure of theirs that committed while it waited."""
    await lock_keys(session, _person_keys(people), shared=True)


async def lock_for_erasure(session: AsyncSession, people: Iterable[uuid.UUID]) -> None:
    """Exclusively: waits for whoever is writing rows about them, and keeps new writers out."""
    await lock_keys(session, _person_keys(people))


ERASED_EVENT = "participant.erased.v1"


async def lock_erasures(session: AsyncSession, envelopes: Sequence[Envelope[Any]]) -> None:
    """The consumer's hook before a batch's handlers: the people it erases, locked all at once in sorted
    order (ADR 0009), so two batches erasing two people cannot each wait for the other halfway."""
    await lock_for_erasure(
        session, [e.data.participant_id for e in envelopes if e.event_type == ERASED_EVENT]
    )


async def erased_among(session: AsyncSession, people: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """Those of `people` this service has erased (call after `lock_people`)."""
    ids = sorted({str(p) for p in people})
    if not ids:
        return set()
    found = await session.execute(
        select(_ERASED_ID).where(outbox.c.event_type == DATA_DELETED, _ERASED_ID.in_(ids)).distinct()
    )
    return {uuid.UUID(value) for value in found.scalars()}


async def queue_message(
    session: AsyncSession, message: Message, *, now: datetime, known: dict[uuid.UUID, Any] | None = None
) -> int:
    """One delivery row per recipient and chosen channel; the unique key makes a repeat a no-op.

    A person we cannot reach yet gets a `failed` row on channel `none` instead of silence, so staff see it.
    It keeps the message's context: the contact event comes from another service and may arrive after the
    group's events, and then `deliver_waiting_messages` queues the message after all."""
    recipients = list(dict.fromkeys(message.recipients))
    if not recipients:
        return 0
    about = [*recipients, *([message.subject_id] if message.subject_id else [])]
    await lock_people(session, about)  # before reading contacts: an erasure waits, or we see it
    # `known`: contact rows the caller has just written (the contact event itself): no need to read them.
    found = dict(known or {})
    unknown = [r for r in recipients if r not in found]
    if unknown:
        found.update(
            (row.participant_id, row)
            for row in (
                await session.execute(select(contacts).where(contacts.c.participant_id.in_(unknown)))
            ).all()
        )
    # Someone without contact details may be waiting for them, or erased: nothing is kept for the erased.
    erased = await erased_among(session, [p for p in about if p not in found])
    if message.subject_id in erased:
        return 0
    recipients = [r for r in recipients if r not in erased]
    common = {
        "source_event_id": message.source_event_id,
        "message_type": message.message_type,
        "group_id": message.group_id,
        "district": message.district,
        "subject_id": message.subject_id,
        "due_at": message.due_at or now,
        "created_at": now,
    }
    rows = []
    for recipient in recipients:
        contact = found.get(recipient)
        chosen = channels_for(message.message_type, preferences_of(contact)) if contact else ()
        if contact is not None and not chosen and message.message_type not in ESSENTIAL:
            continue  # the person opted out of this kind of message
        context = json.dumps(message.context(recipient), default=_json)
        language = contact.language if contact else "nb"
        # Every row carries the same keys: executemany binds all rows to one statement's columns.
        if not chosen:
            rows.append(_delivery_row(common, recipient, "none", language, context, "failed", NO_CONTACT))
        rows.extend(
            _delivery_row(common, recipient, channel.value, language, context, "queued", None)
            for channel in chosen
        )
    return await _insert_deliveries(session, rows, message.message_type, len(recipients))


def _delivery_row(
    common: dict[str, Any],
    recipient: uuid.UUID,
    channel: str,
    language: str,
    context: str,
    state: str,
    last_error: str | None,
) -> dict[str, Any]:
    return {
        **common,
        "recipient_id": recipient,
        "channel": channel,
        "language": language,
        "context": context,
        "state": state,
        "last_error": last_error,
    }


async def _insert_deliveries(
    session: AsyncSession, rows: list[dict[str, Any]], message_type: str, recipients: int
) -> int:
    if not rows:
        return 0
    inserted = (await session.execute(_INSERT_DELIVERIES, rows)).all()  # executemany: compiled once
    log.info(
        "deliveries queued",
        extra={"message_type": message_type, "deliveries": len(inserted), "recipients": recipients},
    )
    return len(inserted)


_INSERT_DELIVERIES = (
    insert(deliveries)
    .on_conflict_do_nothing(index_elements=["source_event_id", "recipient_id", "channel", "message_type"])
    .returning(deliveries.c.id)
)
# A message kept for someone whose contact details have not arrived (see queue_message).
_WAITING_FOR_CONTACT = and_(
    deliveries.c.channel == "none", deliveries.c.state == "failed", deliveries.c.last_error == NO_CONTACT
)
_DELETE_WAITING = (
    delete(deliveries)
    .where(deliveries.c.recipient_id == bindparam("recipient"), _WAITING_FOR_CONTACT)
    .returning(*deliveries.c)
)


async def deliver_messages_waiting_for_known_contacts(
    session: AsyncSession, *, now: datetime, limit: int = 100
) -> int:
    """The repair for a race: a contact event and a group event handled at the same moment (two queues or
    two replicas) can each miss the other's uncommitted row, leaving a message waiting for a contact that
    exists. The sender calls this after consumers' commits; it queues the messages of up to `limit` such
    people and says how many people that was."""
    # The limit applies to people with a contact: others may wait for theirs legitimately, and must not
    # fill every sweep.
    waiting = select(deliveries.c.recipient_id).where(_WAITING_FOR_CONTACT)
    found = (
        await session.execute(
            select(contacts)
            .where(contacts.c.participant_id.in_(waiting))
            .order_by(contacts.c.participant_id)
            .limit(limit)
        )
    ).all()
    for contact in found:
        await deliver_waiting_messages(session, contact, now=now)
    return len(found)


async def deliver_waiting_messages(session: AsyncSession, contact: Any, *, now: datetime) -> int:
    """Queue the messages that found no contact details for this person, now that they have arrived.

    The waiting row (channel `none`) is replaced by one row per chosen channel; the sender still expires
    whatever has become too late (a reminder for a meeting that has begun)."""
    await lock_people(session, [contact.participant_id])  # an erasure since `contact` was read took them
    waiting = (await session.execute(_DELETE_WAITING, {"recipient": contact.participant_id})).all()
    rows = []
    for row in waiting:
        chosen = channels_for(row.message_type, preferences_of(contact))
        if not chosen:
            continue  # opted out of this optional kind of message
        common = {
            key: getattr(row, key)
            for key in ("source_event_id", "message_type", "group_id", "district", "subject_id", "created_at")
        }
        common["due_at"] = max(row.due_at, now)
        rows.extend(
            _delivery_row(common, row.recipient_id, c.value, contact.language, row.context, "queued", None)
            for c in chosen
        )
    return await _insert_deliveries(session, rows, "waiting for contact details", len(waiting))


# --- this service's copy of groups ---------------------------------------------------------------
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


async def member_left(session: AsyncSession, data: Any) -> None:
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
            _WAITING_FOR_CONTACT,
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
        group, data.members, event_id, rt.links, request_id=data.request_id, vote_by=data.vote_by
    )
    await queue_message(session, message, now=rt.clock())


# --- "I can't come" --------------------------------------------------------------------------------
class AbsenceOutcome(StrEnum):
    reported = "reported"
    already_reported = "already_reported"
    meeting_passed = "meeting_passed"
    not_in_a_group = "not_in_a_group"


ABSENCE_NAMESPACE = uuid.UUID("6f1b8f3e-2d3c-4b51-9a43-5b0d7e1c2a90")


def absence_event_id(participant_id: uuid.UUID, meeting_start: datetime) -> uuid.UUID:
    """The same report always has the same event id, so a retried request stages it once."""
    return uuid.uuid5(ABSENCE_NAMESPACE, f"{participant_id}:{meeting_start.astimezone(UTC).isoformat()}")


async def group_of(session: AsyncSession, participant_id: uuid.UUID) -> uuid.UUID | None:
    """The group the person is in now (one at a time), if any."""
    return (
        await session.execute(
            select(group_members.c.group_id)
            .join(groups, groups.c.group_id == group_members.c.group_id)
            .where(
                group_members.c.participant_id == participant_id,
                group_members.c.state != "left",
                groups.c.state != "ended",
            )
            .order_by(groups.c.updated_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def report_absence(
    session: AsyncSession, rt: Runtime, participant_id: uuid.UUID, meeting_start: datetime
) -> AbsenceOutcome:
    """Record the absence, tell calendar and grouping (absence.reported.v1) and queue a notice to every
    other member. Only before the meeting starts: afterwards the group has already wondered."""
    meeting_start = as_oslo(meeting_start)
    now = rt.clock()
    if meeting_start <= now:
        return AbsenceOutcome.meeting_passed
    await lock_people(session, [participant_id])  # an erasure at this moment: theirs or ours first
    group_id = await group_of(session, participant_id)
    if group_id is None:
        return AbsenceOutcome.not_in_a_group
    await lock_group(session, group_id)
    inserted = (
        await session.execute(
            insert(absences)
            .values(participant_id=participant_id, meeting_start=meeting_start, group_id=group_id)
            .on_conflict_do_nothing()
            .returning(absences.c.participant_id)
        )
    ).scalar_one_or_none()
    if inserted is None:
        return AbsenceOutcome.already_reported
    event_id = absence_event_id(participant_id, meeting_start)
    reported = AbsenceReported(group_id=group_id, participant_id=participant_id, meeting_start=meeting_start)
    envelope = reported.envelope(source=SOURCE).model_copy(update={"event_id": event_id})
    await rt.outbox.add(session, envelope)
    group = (await load_group(session, group_id))[0]  # type: ignore[index]
    others = recipients_for_absence(group.members, participant_id)
    await queue_message(
        session, messages.absence_notice(group, others, event_id, participant_id, meeting_start), now=now
    )
    log.info("absence reported", extra={"group_id": str(group_id), "notified": len(others)})
    return AbsenceOutcome.reported


async def next_meeting_of(session: AsyncSession, participant_id: uuid.UUID, now: datetime) -> datetime | None:
    group_id = await group_of(session, participant_id)
    if group_id is None:
        return None
    loaded = await load_group(session, group_id)
    return loaded[0].next_meeting(now) if loaded else None


async def participants_with_mobile(session: AsyncSession, mobile: str) -> Sequence[uuid.UUID]:
    return list(
        (
            await session.execute(select(contacts.c.participant_id).where(contacts.c.mobile == mobile))
        ).scalars()
    )


# --- preferences and erasure ---------------------------------------------------------------------
async def update_preferences(
    session: AsyncSession,
    participant_id: uuid.UUID,
    *,
    channel: ChannelPreference,
    language: str,
    no_optional_messages: bool,
) -> bool:
    changed = (
        await session.execute(
            update(contacts)
            .where(contacts.c.participant_id == participant_id)
            .values(
                channel=channel.value,
                language=language,
                non_essential_opt_out="true" if no_optional_messages else "false",
                updated_at=func.now(),
            )
            .returning(contacts.c.participant_id)
        )
    ).scalar_one_or_none()
    return changed is not None


async def forget_person(session: AsyncSession, participant_id: uuid.UUID) -> int:
    """Delete the contact, every delivery to or about the person, their memberships and absences.

    Waits for whoever is writing rows about the person (`lock_people`), so it deletes those rows too."""
    await lock_for_erasure(session, [participant_id])
    deleted = 0
    person = str(participant_id)
    for statement in (
        delete(contacts).where(contacts.c.participant_id == participant_id),
        delete(deliveries).where(
            or_(
                deliveries.c.recipient_id == participant_id,
                deliveries.c.subject_id == participant_id,
                deliveries.c.context.cast(Text).contains(person),
            )
        ),
        delete(group_members).where(group_members.c.participant_id == participant_id),
        delete(absences).where(absences.c.participant_id == participant_id),
    ):
        deleted += (await session.execute(statement)).rowcount or 0
    return deleted
