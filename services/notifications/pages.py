"""The two small pages a person reaches from a message: "I can't come" and message preferences.

Plain HTML forms in bokmål (default), nynorsk or English that work without JavaScript, on the shared layout
(shared.web's base.html, with its language switch). Opening a page changes nothing (mail scanners open
links); only its form's POST does.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from shared.texts import text, texts_for
from shared.vocabulary import LANGUAGE_NAMES
from shared.web import LAYOUT_TEXTS, create_environment

from .rendering import _clock, _long_date, resolve_language

SITE_NAME = {"nb": "Selvhjelpsgrupper", "nn": "Sjølvhjelpsgrupper", "en": "Self-help groups"}

TEXT: dict[str, dict[str, str]] = {
    "nb": {
        "absence_title": "Kan du ikke komme?",
        "absence_question": "Vil du gi beskjed til gruppa om at du ikke kan komme på møtet {when}?",
        "absence_explain": "De andre i gruppa får en kort melding om at du ikke kommer. Du trenger ikke si hvorfor.",
        "absence_button": "Ja, gi beskjed til gruppa",
        "absence_done": "Takk! De andre i gruppa får beskjed om at du ikke kommer {when}.",
        "absence_already": "Du har allerede gitt beskjed om at du ikke kommer {when}.",
        "absence_passed": "Dette møtet har allerede begynt, så det er for sent å gi beskjed her.",
        "absence_no_group": "Vi fant ingen gruppe du er med i nå.",
        "at": "kl.",
        "preferences_title": "Meldinger fra oss",
        "channel": "Hvordan vil du få meldinger?",
        "channel_email": "E-post",
        "channel_sms": "SMS",
        "channel_both": "Både e-post og SMS",
        "language": "Språk",
        "optional": "Jeg vil bare ha de nødvendige meldingene",
        "optional_explain": "Invitasjoner, første møte, endringer, avlysninger og beskjed om at noen ikke kommer "
        "får du alltid. Påminnelser og annen informasjon kan du slå av.",
        "save": "Lagre",
        "saved": "Valgene dine er lagret.",
        "missing_address": "Vi har ikke {what} til deg, så disse meldingene kommer på den andre måten.",
        "what_email": "e-postadresse",
        "what_sms": "mobilnummer",
        "invalid": "Denne lenken virker ikke (den kan være for gammel).",
    },
    "nn": {
        "absence_title": "Kan du ikkje kome?",
        "absence_question": "Vil du gje beskjed til gruppa om at du ikkje kan kome på møtet {when}?",
        "absence_explain": "Dei andre i gruppa får ei kort melding om at du ikkje kjem. Du treng ikkje seie kvifor.",
        "absence_button": "Ja, gje beskjed til gruppa",
        "absence_done": "Takk! Dei andre i gruppa får beskjed om at du ikkje kjem {when}.",
        "absence_already": "Du har alt gjeve beskjed om at du ikkje kjem {when}.",
        "absence_passed": "Dette møtet har alt byrja, så det er for seint å gje beskjed her.",
        "absence_no_group": "Vi fann inga gruppe du er med i no.",
        "at": "kl.",
        "preferences_title": "Meldingar frå oss",
        "channel": "Korleis vil du få meldingar?",
        "channel_email": "E-post",
        "channel_sms": "SMS",
        "channel_both": "Både e-post og SMS",
        "language": "Språk",
        "optional": "Eg vil berre ha dei naudsynte meldingane",
        "optional_explain": "Invitasjonar, første møte, endringar, avlysingar og beskjed om at nokon ikkje kjem "
        "får du alltid. Påminningar og anna informasjon kan du slå av.",
        "save": "Lagre",
        "saved": "Vala dine er lagra.",
        "missing_address": "Vi har ikkje {what} til deg, så desse meldingane kjem på den andre måten.",
        "what_email": "e-postadresse",
        "what_sms": "mobilnummer",
        "invalid": "Denne lenkja verkar ikkje (ho kan vere for gammal).",
    },
    "en": {
        "absence_title": "Can't come?",
        "absence_question": "Do you want to tell your group that you cannot come to the meeting on {when}?",
        "absence_explain": "The others in the group get a short message that you are not coming. "
        "You do not need to say why.",
        "absence_button": "Yes, tell the group",
        "absence_done": "Thank you! The others in the group will be told that you are not coming on {when}.",
        "absence_already": "You have already told the group that you are not coming on {when}.",
        "absence_passed": "This meeting has already started, so it is too late to report it here.",
        "absence_no_group": "We found no group you are in at the moment.",
        "at": "at",
        "preferences_title": "Messages from us",
        "channel": "How do you want to receive messages?",
        "channel_email": "E-mail",
        "channel_sms": "SMS",
        "channel_both": "Both e-mail and SMS",
        "language": "Language",
        "optional": "I only want the necessary messages",
        "optional_explain": "You always get invitations, the first meeting, changes, cancellations and notices "
        "that someone cannot come. Reminders and other information can be turned off.",
        "save": "Save",
        "saved": "Your choices are saved.",
        "missing_address": "We do not have your {what}, so these messages come the other way.",
        "what_email": "e-mail address",
        "what_sms": "mobile number",
        "invalid": "This link does not work (it may be too old).",
    },
}


environment = create_environment(Path(__file__).with_name("templates"))


def when(meeting_start: datetime, language: str) -> str:
    context = {"language": language}
    return (
        f"{_long_date(context, meeting_start)} {text(TEXT, language, 'at')} {_clock(context, meeting_start)}"
    )


def page(name: str, language: str | None, *, path: str = "", keep_query: str = "", **values: Any) -> str:
    """One page in the shared layout. `path` and `keep_query` (url-encoded) make the language links: the
    absence page needs its `meeting` parameter to open at all."""
    language = resolve_language(language)
    return environment.get_template(f"pages/{name}.html").render(
        lang=language,
        path=path,
        keep_query=keep_query,
        layout=texts_for(LAYOUT_TEXTS, language),
        site_name=SITE_NAME[language],
        page_title=text(TEXT, language, f"{name}_title"),
        t=texts_for(TEXT, language),
        language_names=LANGUAGE_NAMES,
        **values,
    )
