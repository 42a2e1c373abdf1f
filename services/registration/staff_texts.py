"""Words of registration's staff console pages (one person's registration, the audit log) in bokmål (the
default), nynorsk and English. Kept apart from texts.py, the participant form's catalogue. The console's
shared words (navigation, audit page) are in shared.web.staff.STAFF_TEXTS."""

from __future__ import annotations

STAFF_TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "person_title": "Påmelding",
        "status": "Status",
        "municipality": "Kommune",
        "details": "Opplysninger (lesingen er logget)",
        "name": "Navn",
        "email": "E-post",
        "mobile": "Mobil",
        "born": "Født",
        "topic": "Tema",
        "registered": "Påmeldt",
        "why_lead": "Navn, kontaktinformasjon og tema er personopplysninger. Oppgi hvorfor du trenger dem; "
        "det logges.",
        "why": "Hvorfor trenger du å se opplysningene?",
        "show": "Vis opplysningene",
        "reason_needed": "Skriv hvorfor du trenger å se opplysningene (minst 3 tegn).",
        "audit_title": "Logg: påmeldinger",
        "audit_subject": "Person",
    },
    "nn": {
        "person_title": "Påmelding",
        "status": "Status",
        "municipality": "Kommune",
        "details": "Opplysningar (lesinga er logga)",
        "name": "Namn",
        "email": "E-post",
        "mobile": "Mobil",
        "born": "Fødd",
        "topic": "Tema",
        "registered": "Påmeld",
        "why_lead": "Namn, kontaktinformasjon og tema er personopplysningar. Skriv kvifor du treng dei; "
        "det blir logga.",
        "why": "Kvifor treng du å sjå opplysningane?",
        "show": "Vis opplysningane",
        "reason_needed": "Skriv kvifor du treng å sjå opplysningane (minst 3 teikn).",
        "audit_title": "Logg: påmeldingar",
        "audit_subject": "Person",
    },
    "en": {
        "person_title": "Registration",
        "status": "Status",
        "municipality": "Municipality",
        "details": "Details (this read is logged)",
        "name": "Name",
        "email": "E-mail",
        "mobile": "Mobile",
        "born": "Born",
        "topic": "Topic",
        "registered": "Registered",
        "why_lead": "Name, contact details and topic are personal data. Say why you need them; it is logged.",
        "why": "Why do you need to see the details?",
        "show": "Show the details",
        "reason_needed": "Say why you need to see the details (at least 3 characters).",
        "audit_title": "Log: registrations",
        "audit_subject": "Person",
    },
}
