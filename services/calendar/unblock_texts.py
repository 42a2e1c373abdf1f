"""Words of the page that fixes what blocks a group (unblock_pages.py), in bokmål, nynorsk and English:
why scheduling failed (the scheduler's `NoFit` code with its parameters), what would unblock it, the
forms, and the refusals of unblocking.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from shared.texts import text, texts_for
from shared.vocabulary import known_language, slot_name

UNBLOCK_TEXTS: dict[str, dict[str, str]] = {
    "nb": {
        "audit_title": "Logg: møtesteder, igangsettere og tider",
        "audit_subject": "Gruppe, møtested eller igangsetter",
        "title": "Hva stopper gruppen",
        "why": "Hvorfor gruppen ikke har fått tid og sted",
        "what_helps": "Hva som ville hjulpet",
        "status_scheduled": "Gruppen har fått tid og sted.",
        "status_to_schedule": "Gruppen står i kø for å få tid og sted; siden oppdateres når det er gjort.",
        "status_ended": "Gruppen er avsluttet.",
        "unknown_reason": "Planleggingen feilet: {reason}",
        # why (the scheduler's codes)
        "no_member_municipality": "Gruppen har ingen medlemskommune å lete etter møtested i.",
        "no_venue_registered": "Ingen møtesteder er registrert i {places} eller nabokommunene.",
        "no_venue_with_room": "Ingen{accessible} møtesteder med plass til {size} i {places} eller nabokommunene.",
        "no_venue_open": "Ingen{accessible} møtesteder med plass til {size} i {places} eller nabokommunene er "
        "åpne {slot} (oppstart {earliest}–{latest}).",
        "no_venue_free": "Ingen{accessible} møtesteder med plass til {size} i {places} eller nabokommunene er "
        "ledige {slot} de første {meetings} møtene fra {first_date}.",
        "no_starter": "Ingen igangsetter i distriktet er tilgjengelig og ledig {slot} (oppstart "
        "{earliest}–{latest}) de første {meetings} møtene.",
        "accessible": " tilgjengelige",
        # what would help
        "help_venue": "Et møtested i {places} (eller en nabokommune) med plass til {size}{accessible_help}, "
        "åpent {slot} med oppstart mellom {earliest} og {latest} og to timer fram.",
        "help_venue_free": "Et møtested i {places} (eller en nabokommune) som er ledig {slot} de første "
        "{meetings} møtene fra {first_date}.",
        "help_starter": "En igangsetter som er ledig {slot} med oppstart mellom {earliest} og {latest} (og to "
        "timer fram) de første {meetings} møtene.",
        "help_without_starter": "Eller planlegg gruppen uten igangsetter, hvis distriktet tillater det.",
        "help_slots": "Eller en annen tid som passer alle medlemmene:",
        "help_no_slots": "Ingen annen tid passer alle medlemmene.",
        "help_slots_unknown": "Hvilke andre tider alle medlemmene kan, er ikke kjent for denne gruppen (dannet før det ble sendt med).",
        "accessible_help": ", tilgjengelig for rullestol",
        # forms
        "reason_label": "Begrunnelse (loggføres)",
        "add_starter": "Registrer en igangsetter",
        "first_name": "Fornavn",
        "email": "E-post",
        "availability": "Ledige tider (f.eks. «tue 17:00-21:00»)",
        "starters": "Igangsettere i distriktet",
        "save_availability": "Lagre ledige tider",
        "add_venue": "Registrer et møtested",
        "venues_here": "Møtesteder i nærheten",
        "edit": "Endre",
        "municipality": "Kommune",
        "name": "Navn",
        "address": "Adresse",
        "kind": "Type",
        "capacity": "Plasser",
        "accessible_label": "Tilgjengelig for rullestol",
        "opening_hours": "Åpningstider (f.eks. «mon-fri 16:00-22:00»)",
        "register": "Registrer",
        "choose_slot": "Velg denne tiden",
        "without_starter": "Planlegg uten igangsetter",
        "district_setting": "Distriktets innstilling",
        "allowed": "Distriktet tillater å planlegge grupper uten igangsetter når ingen er ledig.",
        "not_allowed": "Distriktet krever igangsetter (standard).",
        "allow": "Tillat uten igangsetter",
        "require": "Krev igangsetter",
        "back_to_group": "Til gruppens timeplan",
        # outcomes
        "done_starter": "Igangsetteren er registrert; {count} grupper i distriktet prøves på nytt.",
        "done_availability": "Ledige tider er lagret; {count} grupper i distriktet prøves på nytt.",
        "done_venue": "Møtestedet er registrert; {count} grupper i distriktet prøves på nytt.",
        "done_slot": "Ny tid valgt; gruppen prøves på nytt.",
        "done_without_starter": "Gruppen er planlagt uten igangsetter.",
        "still_blocked": "Gruppen kunne fortsatt ikke planlegges.",
        "done_setting": "Innstillingen er lagret.",
        # refusals
        "no_group": "Fant ikke gruppen i distriktet ditt.",
        "not_failed": "Bare en gruppe som ikke kunne planlegges, kan endres her.",
        "slot_not_shared": "Velg en annen tid som passer alle medlemmene.",
        "starter_required": "Distriktet krever igangsetter; endre innstillingen først.",
        "starter_exists": "Distriktet har allerede en igangsetter med den e-postadressen.",
        "venue_exists": "Kommunen har allerede et møtested med det navnet.",
        "no_starter_found": "Fant ikke igangsetteren i distriktet ditt.",
        "reason_missing": "Skriv en begrunnelse: hver endring loggføres med hvem og hvorfor.",
        "invalid": "Sjekk feltene: {error}",
    },
    "nn": {
        "audit_title": "Logg: møtestader, igangsetjarar og tider",
        "audit_subject": "Gruppe, møtestad eller igangsetjar",
        "title": "Kva stoppar gruppa",
        "why": "Kvifor gruppa ikkje har fått tid og stad",
        "what_helps": "Kva som ville hjelpt",
        "status_scheduled": "Gruppa har fått tid og stad.",
        "status_to_schedule": "Gruppa står i kø for å få tid og stad; sida vert oppdatert når det er gjort.",
        "status_ended": "Gruppa er avslutta.",
        "unknown_reason": "Planlegginga feila: {reason}",
        "no_member_municipality": "Gruppa har inga medlemskommune å leite etter møtestad i.",
        "no_venue_registered": "Ingen møtestader er registrerte i {places} eller nabokommunane.",
        "no_venue_with_room": "Ingen{accessible} møtestader med plass til {size} i {places} eller nabokommunane.",
        "no_venue_open": "Ingen{accessible} møtestader med plass til {size} i {places} eller nabokommunane er "
        "opne {slot} (oppstart {earliest}–{latest}).",
        "no_venue_free": "Ingen{accessible} møtestader med plass til {size} i {places} eller nabokommunane er "
        "ledige {slot} dei første {meetings} møta frå {first_date}.",
        "no_starter": "Ingen igangsetjar i distriktet er tilgjengeleg og ledig {slot} (oppstart "
        "{earliest}–{latest}) dei første {meetings} møta.",
        "accessible": " tilgjengelege",
        "help_venue": "Ein møtestad i {places} (eller ei nabokommune) med plass til {size}{accessible_help}, "
        "open {slot} med oppstart mellom {earliest} og {latest} og to timar fram.",
        "help_venue_free": "Ein møtestad i {places} (eller ei nabokommune) som er ledig {slot} dei første "
        "{meetings} møta frå {first_date}.",
        "help_starter": "Ein igangsetjar som er ledig {slot} med oppstart mellom {earliest} og {latest} (og to "
        "timar fram) dei første {meetings} møta.",
        "help_without_starter": "Eller planlegg gruppa utan igangsetjar, om distriktet tillèt det.",
        "help_slots": "Eller ei anna tid som passar alle medlemmene:",
        "help_no_slots": "Inga anna tid passar alle medlemmene.",
        "help_slots_unknown": "Kva andre tider alle medlemmene kan, er ikkje kjent for denne gruppa (danna før det vart sendt med).",
        "accessible_help": ", tilgjengeleg for rullestol",
        "reason_label": "Grunngjeving (vert loggført)",
        "add_starter": "Registrer ein igangsetjar",
        "first_name": "Førenamn",
        "email": "E-post",
        "availability": "Ledige tider (t.d. «tue 17:00-21:00»)",
        "starters": "Igangsetjarar i distriktet",
        "save_availability": "Lagre ledige tider",
        "add_venue": "Registrer ein møtestad",
        "venues_here": "Møtestader i nærleiken",
        "edit": "Endre",
        "municipality": "Kommune",
        "name": "Namn",
        "address": "Adresse",
        "kind": "Type",
        "capacity": "Plassar",
        "accessible_label": "Tilgjengeleg for rullestol",
        "opening_hours": "Opningstider (t.d. «mon-fri 16:00-22:00»)",
        "register": "Registrer",
        "choose_slot": "Vel denne tida",
        "without_starter": "Planlegg utan igangsetjar",
        "district_setting": "Innstillinga til distriktet",
        "allowed": "Distriktet tillèt å planleggje grupper utan igangsetjar når ingen er ledig.",
        "not_allowed": "Distriktet krev igangsetjar (standard).",
        "allow": "Tillat utan igangsetjar",
        "require": "Krev igangsetjar",
        "back_to_group": "Til timeplanen for gruppa",
        "done_starter": "Igangsetjaren er registrert; {count} grupper i distriktet vert prøvde på nytt.",
        "done_availability": "Ledige tider er lagra; {count} grupper i distriktet vert prøvde på nytt.",
        "done_venue": "Møtestaden er registrert; {count} grupper i distriktet vert prøvde på nytt.",
        "done_slot": "Ny tid er vald; gruppa vert prøvd på nytt.",
        "done_without_starter": "Gruppa er planlagd utan igangsetjar.",
        "still_blocked": "Gruppa kunne framleis ikkje planleggjast.",
        "done_setting": "Innstillinga er lagra.",
        "no_group": "Fann ikkje gruppa i distriktet ditt.",
        "not_failed": "Berre ei gruppe som ikkje kunne planleggjast, kan endrast her.",
        "slot_not_shared": "Vel ei anna tid som passar alle medlemmene.",
        "starter_required": "Distriktet krev igangsetjar; endre innstillinga først.",
        "starter_exists": "Distriktet har alt ein igangsetjar med den e-postadressa.",
        "venue_exists": "Kommunen har alt ein møtestad med det namnet.",
        "no_starter_found": "Fann ikkje igangsetjaren i distriktet ditt.",
        "reason_missing": "Skriv ei grunngjeving: kvar endring vert loggført med kven og kvifor.",
        "invalid": "Sjekk felta: {error}",
    },
    "en": {
        "audit_title": "Log: venues, starters and times",
        "audit_subject": "Group, venue or starter",
        "title": "What blocks the group",
        "why": "Why the group has no time and place yet",
        "what_helps": "What would unblock it",
        "status_scheduled": "The group has a time and place.",
        "status_to_schedule": "The group is queued to be scheduled; reload the page in a moment.",
        "status_ended": "The group has ended.",
        "unknown_reason": "Scheduling failed: {reason}",
        "no_member_municipality": "The group has no member municipality to look for a venue in.",
        "no_venue_registered": "No venue is registered in {places} or neighbouring municipalities.",
        "no_venue_with_room": "No{accessible} venue with room for {size} in {places} or neighbouring "
        "municipalities.",
        "no_venue_open": "No{accessible} venue with room for {size} in {places} or neighbouring municipalities "
        "is open {slot} (starting {earliest}–{latest}).",
        "no_venue_free": "No{accessible} venue with room for {size} in {places} or neighbouring municipalities "
        "is free {slot} for the first {meetings} meetings from {first_date}.",
        "no_starter": "No starter in the district is available and free {slot} (starting {earliest}–{latest}) "
        "for the group's first {meetings} meetings.",
        "accessible": " accessible",
        "help_venue": "A venue in {places} (or a neighbouring municipality) with room for {size}{accessible_help}, "
        "open {slot} with a start between {earliest} and {latest} and two hours on.",
        "help_venue_free": "A venue in {places} (or a neighbouring municipality) free {slot} for the first "
        "{meetings} meetings from {first_date}.",
        "help_starter": "A starter free {slot} with a start between {earliest} and {latest} (and two hours on) "
        "for the first {meetings} meetings.",
        "help_without_starter": "Or schedule the group without a starter, if the district allows it.",
        "help_slots": "Or another time all members share:",
        "help_no_slots": "No other time suits all members.",
        "help_slots_unknown": "Which other times all members can make is not known for this group (formed before that was sent along).",
        "accessible_help": ", wheelchair accessible",
        "reason_label": "Reason (logged)",
        "add_starter": "Register a starter",
        "first_name": "First name",
        "email": "E-mail",
        "availability": "Free times (e.g. “tue 17:00-21:00”)",
        "starters": "Starters in the district",
        "save_availability": "Save free times",
        "add_venue": "Register a venue",
        "venues_here": "Venues nearby",
        "edit": "Edit",
        "municipality": "Municipality",
        "name": "Name",
        "address": "Address",
        "kind": "Kind",
        "capacity": "Places",
        "accessible_label": "Wheelchair accessible",
        "opening_hours": "Opening hours (e.g. “mon-fri 16:00-22:00”)",
        "register": "Register",
        "choose_slot": "Choose this time",
        "without_starter": "Schedule without a starter",
        "district_setting": "The district's setting",
        "allowed": "The district allows scheduling groups without a starter when none is free.",
        "not_allowed": "The district requires a starter (the default).",
        "allow": "Allow without a starter",
        "require": "Require a starter",
        "back_to_group": "To the group's schedule",
        "done_starter": "The starter is registered; {count} groups in the district are tried again.",
        "done_availability": "The free times are saved; {count} groups in the district are tried again.",
        "done_venue": "The venue is registered; {count} groups in the district are tried again.",
        "done_slot": "Another time is chosen; the group is tried again.",
        "done_without_starter": "The group is scheduled without a starter.",
        "still_blocked": "The group still could not be scheduled.",
        "done_setting": "The setting is saved.",
        "no_group": "No such group in your district.",
        "not_failed": "Only a group that could not be scheduled can be changed here.",
        "slot_not_shared": "Choose another time all members share.",
        "starter_required": "The district requires a starter; change the setting first.",
        "starter_exists": "The district already has a starter with that e-mail address.",
        "venue_exists": "The municipality already has a venue of that name.",
        "no_starter_found": "No such starter in your district.",
        "reason_missing": "Give a reason: every change is logged with who and why.",
        "invalid": "Check the fields: {error}",
    },
}

VENUE_CODES = ("no_venue_registered", "no_venue_with_room", "no_venue_open", "no_venue_free")


def unblock_texts(language: str) -> dict[str, Any]:
    return texts_for(UNBLOCK_TEXTS, language)


def _words(
    failure: Mapping[str, Any], language: str, known: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The failure's parameters in words; `known` fills what an older failure did not carry."""
    words = {**(known or {}), **dict(failure.get("params") or {})}
    if "slot" in words:
        words["slot"] = slot_name(words["slot"], language)
    accessible = bool(words.get("accessible"))
    words["accessible"] = text(UNBLOCK_TEXTS, language, "accessible") if accessible else ""
    words["accessible_help"] = text(UNBLOCK_TEXTS, language, "accessible_help") if accessible else ""
    return words


def why(failure: Mapping[str, Any] | None, reason: str | None, language: str) -> str:
    """Why scheduling failed, in the reader's language; a failure stored without a code in its words."""
    language = known_language(language)
    code = (failure or {}).get("code")
    if code not in UNBLOCK_TEXTS["nb"]:
        return text(UNBLOCK_TEXTS, language, "unknown_reason", reason=reason or "")
    return text(UNBLOCK_TEXTS, language, code, **_words(failure, language))


def what_helps(failure: Mapping[str, Any] | None, language: str, known: Mapping[str, Any]) -> list[str]:
    """What would unblock the group (besides another shared slot), in the reader's language. `known`:
    the group's slot, start window, size, places and starter meetings, for what the failure did not say."""
    language = known_language(language)
    code = (failure or {}).get("code")
    words = _words(failure or {}, language, known)
    if code in ("no_venue_registered", "no_venue_with_room", "no_venue_open"):
        return [text(UNBLOCK_TEXTS, language, "help_venue", **words)]
    if code == "no_venue_free":
        return [text(UNBLOCK_TEXTS, language, "help_venue_free", **words)]
    if code == "no_starter":
        return [
            text(UNBLOCK_TEXTS, language, "help_starter", **words),
            text(UNBLOCK_TEXTS, language, "help_without_starter"),
        ]
    return []
