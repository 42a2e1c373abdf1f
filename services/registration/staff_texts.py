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

# A contact point's pages: registering a person on their behalf, and the status of those it registered.
CONTACT_TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "register_title": "Meld på en person",
        "register_lead": "Fyll ut skjemaet sammen med personen. De samme reglene gjelder som når de melder seg "
        "på selv, og personen må selv gi samtykket nederst. Påmeldingen registreres som gjort av deg.",
        "error_municipality": "Velg en av kommunene du er kontaktpunkt for.",
        "registered": "Personen er meldt på. De får en bekreftelse.",
        "registrations_title": "Påmeldingene dine",
        "registrations_lead": "Personer du har meldt på i dine kommuner. Tema og kontaktinformasjon vises ikke. "
        "Lesingen logges.",
        "name": "Navn",
        "municipality": "Kommune",
        "status": "Status",
        "since": "Påmeldt",
        "none": "Du har ikke meldt på noen ennå.",
    },
    "nn": {
        "register_title": "Meld på ein person",
        "register_lead": "Fyll ut skjemaet saman med personen. Dei same reglane gjeld som når dei melder seg "
        "på sjølve, og personen må sjølv gi samtykket nedst. Påmeldinga blir registrert som gjord av deg.",
        "error_municipality": "Vel ein av kommunane du er kontaktpunkt for.",
        "registered": "Personen er meld på. Dei får ei stadfesting.",
        "registrations_title": "Påmeldingane dine",
        "registrations_lead": "Personar du har meldt på i kommunane dine. Tema og kontaktinformasjon blir ikkje "
        "viste. Lesinga blir logga.",
        "name": "Namn",
        "municipality": "Kommune",
        "status": "Status",
        "since": "Påmeld",
        "none": "Du har ikkje meldt på nokon enno.",
    },
    "en": {
        "register_title": "Register a person",
        "register_lead": "Fill in the form together with the person. The same rules apply as when they "
        "register themselves, and the person must give the consent at the bottom. The registration is "
        "recorded as made by you.",
        "error_municipality": "Choose one of the municipalities you are a contact point for.",
        "registered": "The person is registered. They will get a confirmation.",
        "registrations_title": "Your registrations",
        "registrations_lead": "People you registered in your municipalities. Topic and contact details are "
        "not shown. This read is logged.",
        "name": "Name",
        "municipality": "Municipality",
        "status": "Status",
        "since": "Registered",
        "none": "You have not registered anyone yet.",
    },
}
