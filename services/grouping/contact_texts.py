"""Words of the contact point's pages in grouping (its home with the counts, and the development sign-in
as a contact point) in bokmål (the default), nynorsk and English. Apart from staff_texts.py, which is
near its size limit."""

from __future__ import annotations

CONTACT_TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "home_title": "Kontaktpunkt",
        "home_lead": "Her melder du på personer, ser hvordan det går med påmeldingene dine og holder "
        "møtestedene i kommunene dine oppdatert.",
        "counts_title": "Tall for kommunene dine",
        "counts_hint": "Bare antall: ingen personopplysninger.",
        "municipality": "Kommune",
        "waiting": "Venter på gruppe",
        "running": "Grupper i gang",
        "register": "Meld på en person",
        "registrations": "Se påmeldingene dine",
        "venues": "Møtesteder i kommunene dine",
        "sign_in_contact": "Eller logg inn som kontaktpunkt (bare i utvikling):",
        "sign_in_municipalities": "Kommuner",
        "sign_in_municipalities_hint": "Hold Ctrl (Cmd på Mac) for å velge flere.",
        "sign_in_contact_name": "Navn eller brukernavn for kontaktpunktet",
        "sign_in_contact_button": "Fortsett som kontaktpunkt",
        "sign_in_pick_municipality": "Velg minst én kommune.",
    },
    "nn": {
        "home_title": "Kontaktpunkt",
        "home_lead": "Her melder du på personar, ser korleis det går med påmeldingane dine og held "
        "møtestadene i kommunane dine oppdaterte.",
        "counts_title": "Tal for kommunane dine",
        "counts_hint": "Berre tal: ingen personopplysningar.",
        "municipality": "Kommune",
        "waiting": "Ventar på gruppe",
        "running": "Grupper i gang",
        "register": "Meld på ein person",
        "registrations": "Sjå påmeldingane dine",
        "venues": "Møtestader i kommunane dine",
        "sign_in_contact": "Eller logg inn som kontaktpunkt (berre i utvikling):",
        "sign_in_municipalities": "Kommunar",
        "sign_in_municipalities_hint": "Hald Ctrl (Cmd på Mac) for å velje fleire.",
        "sign_in_contact_name": "Namn eller brukarnamn for kontaktpunktet",
        "sign_in_contact_button": "Hald fram som kontaktpunkt",
        "sign_in_pick_municipality": "Vel minst éin kommune.",
    },
    "en": {
        "home_title": "Contact point",
        "home_lead": "Here you register people, follow your registrations and keep the venues in your "
        "municipalities up to date.",
        "counts_title": "Figures for your municipalities",
        "counts_hint": "Counts only: no personal data.",
        "municipality": "Municipality",
        "waiting": "Waiting for a group",
        "running": "Groups running",
        "register": "Register a person",
        "registrations": "See your registrations",
        "venues": "Venues in your municipalities",
        "sign_in_contact": "Or sign in as a contact point (development only):",
        "sign_in_municipalities": "Municipalities",
        "sign_in_municipalities_hint": "Hold Ctrl (Cmd on a Mac) to choose several.",
        "sign_in_contact_name": "Name or user name of the contact point",
        "sign_in_contact_button": "Continue as a contact point",
        "sign_in_pick_municipality": "Choose at least one municipality.",
    },
}
