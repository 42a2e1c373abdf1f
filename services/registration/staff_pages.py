"""Registration's staff pages: one person's registration (name, contact, topic: shown only after the
staff member gives a reason, and every such read is audited) and registration's audit log with CSV."""

from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import select

from shared.reference import get_municipality
from shared.web import choose_language, create_environment
from shared.web.staff import AuditFilter, audit_csv, read_audit, staff_page
from shared.web_auth import StaffPageUser

from . import commands
from .models import audit_log, registrations
from .staff_texts import STAFF_TEXTS

environment = create_environment(Path(__file__).parent / "staff_templates")
registration_staff_pages = APIRouter(include_in_schema=False)
AUDIT_COLUMNS = ("at", "actor", "action", "subject_id", "fields", "reason")


@registration_staff_pages.get("/staff/people/{participant_id}")
async def person_page(participant_id: uuid.UUID, request: Request, user: StaffPageUser) -> Response:
    reason = (request.query_params.get("reason") or "").strip()[:500]
    async with request.app.state.service.transaction() as uow:
        session = uow.session
        row = (
            await session.execute(
                select(registrations).where(
                    registrations.c.participant_id == participant_id,
                    registrations.c.district == user.district,
                )
            )
        ).one_or_none()
        if row is None:  # another district's person looks exactly like nobody
            raise HTTPException(404, "no such registration in your district")
        shown = len(reason) >= 3
        if shown:
            await commands.record_audit(
                session,
                actor=user.subject,
                action="read",
                subject_id=participant_id,
                district=user.district,
                fields="contact,topic",
                reason=reason,
            )
    place = get_municipality(row.municipality)
    language = choose_language(request)
    t = STAFF_TEXTS[language]
    return staff_page(
        environment,
        "person.html",
        request,
        user,
        "pool",
        language=language,
        page_title=t["person_title"],
        t=t,
        person=row if shown else None,
        participant_id=participant_id,
        status=row.status,
        municipality=place.name if place else row.municipality,
        errors=[t["reason_needed"]] if reason and not shown else [],
    )


@registration_staff_pages.get("/staff/audit")
async def audit_page(request: Request, user: StaffPageUser) -> Response:
    wanted = AuditFilter.from_request(request)
    async with request.app.state.service.sessions() as session:
        rows = await read_audit(session, audit_log, user.district, wanted)
        actions = (
            await session.scalars(
                select(audit_log.c.action).where(audit_log.c.district == user.district).distinct()
            )
        ).all()
    shown = [
        {
            "at": r.at.astimezone().strftime("%d.%m.%Y %H:%M"),
            "actor": r.actor,
            "action": r.action,
            "subject": r.subject_id,
            "detail": " · ".join(x for x in (r.fields, r.reason) if x),
        }
        for r in rows
    ]
    language = choose_language(request)
    t = STAFF_TEXTS[language]
    return staff_page(
        environment,
        "staff/audit.html",
        request,
        user,
        "audit-registration",
        language=language,
        page_title=t["audit_title"],
        rows=shown,
        wanted=wanted,
        actions=sorted(actions),
        subject_label=t["audit_subject"],
        csv_url="/staff/audit.csv?" + wanted.query_string(),
    )


@registration_staff_pages.get("/staff/audit.csv")
async def audit_export(request: Request, user: StaffPageUser) -> Response:
    async with request.app.state.service.sessions() as session:
        rows = await read_audit(
            session, audit_log, user.district, AuditFilter.from_request(request), limit=100_000
        )
    return audit_csv(
        rows, AUDIT_COLUMNS, f"registration-audit-{user.district}-{date.today().isoformat()}.csv"
    )
