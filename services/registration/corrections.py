"""Correcting a waiting registration: municipality, topic, composition, format, times, language, name and
contact details, by the person (status page) or by district office staff (with a reason, audited).

The corrected registration passes the same rules as a new one (`RegistrationDetails`, `domain.check`).
What grouping plans with goes out as registration.changed.v1 (grouping moves the pool row and plans the
old and the new district); name, contact and language as participant.contact_changed.v1 (notifications
updates its contact, no receipt). Once the person is placed (or withdrew) nothing changes: their group's
time and place are set, and the refusal says so. While they are invited to a group (proposed, or accepted
and not yet started) only their name, contact details and language may change: grouping's proposal rests
on the rest, so they answer the invitation first (declining puts them back in the pool).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit import record_audit
from shared.clock import norway_today
from shared.contracts import ParticipantContactChanged, RegistrationChanged, RegistrationDetails
from shared.messaging import Outbox

from . import domain, history
from .models import audit_log, registration_history, registrations
from .sign_up_form import details_body

SOURCE = "registration"
PLANNING_FIELDS = ("municipality", "topic", "composition", "format", "availability")
CONTACT_FIELDS = ("name", "email", "mobile", "language")
FIELDS = (*CONTACT_FIELDS, *PLANNING_FIELDS, "topic_text")


class NotWaiting(Exception):
    """The registration is placed or withdrawn: its details are settled."""

    def __init__(self, status: str) -> None:
        super().__init__(f"the registration is {status}, only a waiting registration can be corrected")
        self.status = status


class InvitedToGroup(NotWaiting):
    """The person is proposed for a group and has not answered, or accepted and it has not started: a
    change of where, what or when would leave grouping's proposal resting on the old details."""

    def __init__(self) -> None:
        Exception.__init__(self, "the person is invited to a group: answer the invitation first")
        self.status = "invited"


# The group events of a registration's history; the last one says whether a proposal is open.
_GROUP_KINDS = ("proposed", "accepted", "declined", "placed", "joined", "left", "group_closed")


async def has_open_proposal(session: AsyncSession, participant_id: uuid.UUID) -> bool:
    last = (
        await session.execute(
            select(registration_history.c.kind)
            .where(
                registration_history.c.participant_id == participant_id,
                registration_history.c.kind.in_(_GROUP_KINDS),
            )
            .order_by(registration_history.c.at.desc(), registration_history.c.id.desc())
            .limit(1)
        )
    ).scalar_one_or_none()
    return last in ("proposed", "accepted")


@dataclass(frozen=True)
class Corrected:
    changed: tuple[str, ...]
    old_district: str
    district: str


def values_of(row: Any) -> dict[str, Any]:
    """A stored registration as the form's values (what the correction form starts from)."""
    return {
        "name": row.name,
        "email": row.email or "",
        "mobile": row.mobile or "",
        "municipality": row.municipality,
        "topic": row.topic,
        "topic_text": row.topic_text or "",
        "composition": row.composition,
        "format": row.format,
        "availability": list(row.availability),
        "language": row.language,
    }


def corrected_details(row: Any, values: dict[str, Any], now: datetime) -> RegistrationDetails:
    """The registration with the form's values for the fields a correction may change; the rest (birth
    date, gender, source, consent) as stored. Raises pydantic's ValidationError like the sign-up form."""
    # The fields a correction leaves alone are filled in below from the row; blanks keep details_body happy.
    unchanged = {"birth_date": "", "gender": "", "single_gender": False, "consent": True}
    picked = {k: values[k] for k in FIELDS if k in values}
    body = details_body({**unchanged, **values_of(row), **picked}, now)
    body.update(
        birth_date=row.birth_date.isoformat(),
        gender=row.gender,
        single_gender=row.single_gender,
        source=row.source,
        external_ref=row.external_ref,
        consent={
            "version": row.consent_version,
            "given_at": row.consent_given_at.isoformat(),
            "sensitive_data": True,
        },
    )
    return RegistrationDetails.model_validate(body)


def _stored(details: RegistrationDetails) -> dict[str, Any]:
    return {
        "name": details.participant.name,
        "email": details.participant.email,
        "mobile": details.participant.mobile,
        "municipality": details.municipality,
        "topic": details.topic.value,
        "topic_text": details.topic_text,
        "composition": details.composition.value,
        "format": details.format.value,
        "availability": list(details.availability),
        "language": details.language.value,
    }


async def registration_for_update(
    session: AsyncSession, participant_id: uuid.UUID, district: str | None = None
) -> Any:
    query = select(registrations).where(registrations.c.participant_id == participant_id)
    if district is not None:  # staff: another district's person looks like nobody
        query = query.where(registrations.c.district == district)
    return (await session.execute(query.with_for_update())).one_or_none()


async def correct(
    session: AsyncSession,
    outbox: Outbox,
    participant_id: uuid.UUID,
    values: dict[str, Any],
    *,
    actor: str,
    now: datetime,
    district: str | None = None,
    reason: str | None = None,
) -> Corrected | None:
    """Apply a correction; None when there is no such registration (in `district`, for staff).

    `now` is the unit of work's clock (`uow.now()`): the day the age is checked on is Norway's on it.

    `actor` is "participant" or the staff member's subject; staff give `district` and `reason` and the
    change is audited. Raises NotWaiting, pydantic's ValidationError or domain.RegistrationRefused.
    """
    row = await registration_for_update(session, participant_id, district)
    if row is None:
        return None
    if row.status != "waiting":
        raise NotWaiting(row.status)
    details = corrected_details(row, values, now)
    new_district = domain.check(details, norway_today(now))
    new = _stored(details)
    changed = tuple(f for f in FIELDS if new[f] != getattr(row, f))
    if not changed:
        return Corrected((), row.district, row.district)
    if set(changed) & set(PLANNING_FIELDS) and await has_open_proposal(session, participant_id):
        raise InvitedToGroup()
    await session.execute(
        update(registrations)
        .where(registrations.c.participant_id == participant_id)
        .values(**new, district=new_district, updated_at=func.now())
    )
    await history.record(session, participant_id, "corrected", actor=actor, fields=list(changed))
    if district is not None:
        # On the audit page of the district that made the change (the person may have moved out of it).
        await record_audit(
            session,
            audit_log,
            actor=actor,
            action="correct",
            subject_id=participant_id,
            district=district,
            fields=",".join(changed),
            reason=reason,
        )
    if set(changed) & set(PLANNING_FIELDS):
        event = RegistrationChanged(
            participant_id=participant_id,
            district=new_district,
            municipality=details.municipality,
            topic=details.topic,
            composition=details.composition,
            format=details.format,
            availability=list(details.availability),
            changed=[f for f in changed if f in PLANNING_FIELDS],
        )
        await outbox.add(session, event.envelope(source=SOURCE))
    if set(changed) & set(CONTACT_FIELDS):
        contact = ParticipantContactChanged(
            participant_id=participant_id,
            name=details.participant.name,
            email=details.participant.email,
            mobile=details.participant.mobile,
            language=details.language,
        )
        await outbox.add(session, contact.envelope(source=SOURCE))
    return Corrected(changed, row.district, new_district)


async def change_availability(
    session: AsyncSession,
    outbox: Outbox,
    participant_id: uuid.UUID,
    slots: list[str],
    *,
    actor: str = "participant",
) -> bool:
    """A waiting person's new weekly slots; False when they are no longer waiting (their time is set).

    Raises domain.RegistrationRefused for no or unknown slots.
    """
    availability = domain.checked_availability(slots)
    changed = (
        await session.execute(
            update(registrations)
            .where(registrations.c.participant_id == participant_id, registrations.c.status == "waiting")
            .values(availability=availability, updated_at=func.now())
            .returning(registrations.c.participant_id)
        )
    ).scalar_one_or_none()
    if changed is None:
        return False
    await history.record(session, participant_id, "availability", actor=actor)
    event = domain.availability_changed_event(participant_id, availability)
    await outbox.add(session, event.envelope(source=SOURCE))
    return True
